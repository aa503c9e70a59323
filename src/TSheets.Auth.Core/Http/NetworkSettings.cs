using System;
using System.Collections.Generic;
using System.Net;
using System.Text;
using TSheets.Auth.Common;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// How requests reach the network, as one operation's proxy options and the proxy variables
    /// say: the key for choosing (and keeping) a primary handler and the pipelines over it, so two
    /// equal settings share one handler and their connections stay pooled. Which proxy a given
    /// target goes through is <see cref="ProxyChoice"/>'s decision. The proxy password is a secret:
    /// never shown, and masked (<see cref="Secrets"/>) wherever the module writes.
    /// </summary>
    internal sealed class NetworkSettings : IEquatable<NetworkSettings>
    {
        /// <summary>No option and no proxy variable: the system's proxy settings.</summary>
        public static readonly NetworkSettings Default = new NetworkSettings(null, null, false, false, ProxyEnvironment.Empty);

        public NetworkSettings(ProxyAddress? proxy, NetworkCredential? credential, bool useDefaultCredentials, bool noProxy, ProxyEnvironment? environment)
        {
            Proxy = proxy;
            Credential = credential;
            UseDefaultCredentials = useDefaultCredentials;
            NoProxy = noProxy;
            // The variables matter only when no option says where to go: then equal options share a handler whatever they hold.
            Environment = proxy != null || noProxy ? ProxyEnvironment.Empty : environment ?? ProxyEnvironment.Empty;
        }

        /// <summary>-Proxy: every request goes through it (no bypass list, loopback targets included).</summary>
        public ProxyAddress? Proxy { get; }

        /// <summary>-ProxyCredential, or the user name and password in -Proxy: for whichever proxy a request goes through.</summary>
        public NetworkCredential? Credential { get; }

        /// <summary>-ProxyUseDefaultCredentials: the logged-on user's (Negotiate or NTLM on Windows).</summary>
        public bool UseDefaultCredentials { get; }

        /// <summary>-NoProxy: every request goes direct.</summary>
        public bool NoProxy { get; }

        /// <summary>The proxy variables, when no option decides.</summary>
        public ProxyEnvironment Environment { get; }

        /// <summary>
        /// The settings one operation's options make, with the proxy variables read now. Options that
        /// contradict each other are refused before anything is sent (<see cref="ErrorIds.AmbiguousParameterSet"/>).
        /// </summary>
        public static NetworkSettings From(Uri? proxy, NetworkCredential? credential, bool useDefaultCredentials, bool noProxy, Func<string, string?> environment)
        {
            ProxyAddress? address = null;
            if (proxy != null)
            {
                // The cmdlets declare the same rule on -Proxy, so only a caller that skipped it gets here.
                address = ProxyAddress.From(proxy, out var why) ?? throw new ArgumentException($"'{UriRules.Describe(proxy)}' cannot be a proxy: {why}.", nameof(proxy));
            }

            var conflict = noProxy && address != null ? "-NoProxy and -Proxy"
                : noProxy && credential != null ? "-NoProxy and -ProxyCredential"
                : noProxy && useDefaultCredentials ? "-NoProxy and -ProxyUseDefaultCredentials"
                : credential != null && useDefaultCredentials ? "-ProxyCredential and -ProxyUseDefaultCredentials"
                : credential != null && address?.Credential != null ? "-ProxyCredential and a user name in -Proxy"
                : useDefaultCredentials && address?.Credential != null ? "-ProxyUseDefaultCredentials and a user name in -Proxy"
                : null;
            if (conflict != null)
            {
                throw new TSheetsAuthException(
                    ErrorIds.AmbiguousParameterSet,
                    $"{conflict} cannot be used together: -NoProxy sends every request directly, -Proxy through the proxy it names, and a proxy is given one credential (-ProxyCredential, a user name and password in -Proxy, or -ProxyUseDefaultCredentials). If one of them comes from $PSDefaultParameterValues, pass it as $null (-Proxy:$null) to leave it out. Nothing was sent.",
                    conflict);
            }

            return new NetworkSettings(address, credential ?? address?.Credential, useDefaultCredentials, noProxy, noProxy || address != null ? null : ProxyEnvironment.Read(environment));
        }

        /// <summary>
        /// The proxy passwords these settings hold (given and from the variables), and the Basic
        /// header value each would make: what the redactor masks while the settings are in use.
        /// </summary>
        public IEnumerable<string> Secrets()
        {
            foreach (var credential in new[] { Credential, Environment.HttpsProxy?.Credential, Environment.HttpProxy?.Credential })
            {
                if (credential == null || string.IsNullOrEmpty(credential.Password))
                {
                    continue;
                }

                yield return credential.Password;
                yield return Convert.ToBase64String(Encoding.UTF8.GetBytes(credential.UserName + ":" + credential.Password));
            }
        }

        public bool Equals(NetworkSettings? other) =>
            other != null
            && Equals(Proxy?.Address, other.Proxy?.Address)
            && SameCredential(Credential, other.Credential)
            && UseDefaultCredentials == other.UseDefaultCredentials
            && NoProxy == other.NoProxy
            && Environment.Equals(other.Environment);

        public override bool Equals(object? obj) => Equals(obj as NetworkSettings);

        public override int GetHashCode() =>
            (Proxy?.Address.GetHashCode() ?? 0) ^ (NoProxy ? 1 : 0) ^ (UseDefaultCredentials ? 2 : 0) ^ (Environment.GetHashCode() * 7);

        public override string ToString() =>
            NoProxy ? "no proxy (-NoProxy)"
            : Proxy != null ? $"the proxy {Proxy}"
            : Environment.NamesAProxy ? "the proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY)"
            : "the system's proxy settings";

        private static bool SameCredential(NetworkCredential? a, NetworkCredential? b) =>
            ReferenceEquals(a, b)
            || (a != null && b != null
                && string.Equals(a.UserName, b.UserName, StringComparison.Ordinal)
                && string.Equals(a.Domain, b.Domain, StringComparison.Ordinal)
                && ConstantTime.Equals(a.Password, b.Password));
    }
}
