using System;
using System.Collections.Generic;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// The proxy variables as the environment holds them, read by the module itself on every
    /// runtime (.NET Framework reads none, and .NET's own reading differs from curl's and Go's):
    /// <c>https_proxy</c> for https targets, <c>http_proxy</c> for http ones, <c>all_proxy</c> for
    /// either when its own is unset (curl's fallback), and <c>no_proxy</c>; each in lower case, else
    /// upper case (curl's and .NET's order). As in Go, <c>HTTP_PROXY</c> is not read in a CGI
    /// script (<c>REQUEST_METHOD</c> set), where a request's <c>Proxy:</c> header would set it.
    /// Equal texts are equal settings: the parsed proxies are made once, by the settings the
    /// handler keeps.
    /// </summary>
    internal sealed class ProxyEnvironment : IEquatable<ProxyEnvironment>
    {
        public static readonly ProxyEnvironment Empty = new ProxyEnvironment(null, null, null, null);

        private readonly Lazy<Parsed> parsed;

        public ProxyEnvironment(string? https, string? http, string? all, string? noProxy)
        {
            Https = Blank(https);
            Http = Blank(http);
            All = Blank(all);
            NoProxy = Blank(noProxy);
            parsed = new Lazy<Parsed>(() => new Parsed(this));
        }

        public string? Https { get; }

        public string? Http { get; }

        public string? All { get; }

        public string? NoProxy { get; }

        /// <summary>True when a variable names a proxy: then the environment decides, else the system's settings do.</summary>
        public bool NamesAProxy => Https != null || Http != null || All != null;

        /// <summary>The proxy for https targets, else null (none, or a value that is no proxy).</summary>
        public ProxyAddress? HttpsProxy => parsed.Value.Https;

        /// <summary>The proxy for http targets, else null.</summary>
        public ProxyAddress? HttpProxy => parsed.Value.Http;

        public NoProxyList Bypass => parsed.Value.Bypass;

        /// <summary>Why a variable's value was not used ("HTTPS_PROXY ... is not a proxy: ..."), for a warning; empty when all were.</summary>
        public IReadOnlyList<string> Problems => parsed.Value.Problems;

        public static ProxyEnvironment Read(Func<string, string?> environment)
        {
            if (environment == null)
            {
                throw new ArgumentNullException(nameof(environment));
            }

            var cgi = !string.IsNullOrEmpty(environment("REQUEST_METHOD"));
            return new ProxyEnvironment(
                First(environment, "https_proxy", "HTTPS_PROXY"),
                cgi ? Blank(environment("http_proxy")) : First(environment, "http_proxy", "HTTP_PROXY"),
                First(environment, "all_proxy", "ALL_PROXY"),
                First(environment, "no_proxy", "NO_PROXY"));
        }

        public bool Equals(ProxyEnvironment? other) =>
            other != null && Https == other.Https && Http == other.Http && All == other.All && NoProxy == other.NoProxy;

        public override bool Equals(object? obj) => Equals(obj as ProxyEnvironment);

        public override int GetHashCode() =>
            StringComparer.Ordinal.GetHashCode(Https ?? string.Empty) ^ (StringComparer.Ordinal.GetHashCode(Http ?? string.Empty) * 31) ^ (NoProxy?.Length ?? 0);

        private static string? First(Func<string, string?> environment, string lower, string upper) => Blank(environment(lower)) ?? Blank(environment(upper));

        private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

        private sealed class Parsed
        {
            private readonly List<string> problems = new List<string>();

            public Parsed(ProxyEnvironment texts)
            {
                var all = Address("ALL_PROXY", texts.All);
                Https = texts.Https != null ? Address("HTTPS_PROXY", texts.Https) : all;
                Http = texts.Http != null ? Address("HTTP_PROXY", texts.Http) : all;
                Bypass = NoProxyList.Parse(texts.NoProxy);
            }

            public ProxyAddress? Https { get; }

            public ProxyAddress? Http { get; }

            public NoProxyList Bypass { get; }

            public IReadOnlyList<string> Problems => problems;

            private ProxyAddress? Address(string variable, string? text)
            {
                if (text == null)
                {
                    return null;
                }

                var address = ProxyAddress.Parse(text, out var why);
                if (address == null)
                {
                    // The value itself may hold a password: never quoted.
                    problems.Add($"{variable} (or its lower-case twin) is set but names no proxy ({why}), so it is not used");
                }

                return address;
            }
        }
    }
}
