using System;
using System.Net;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// A proxy as a -Proxy argument or a proxy variable names it: its address without user
    /// information (what the handler is given, and what messages show), and the user name and
    /// password the URI carried, if any (a credential, never shown). <c>host:port</c> without a
    /// scheme means http, as curl and Go read it.
    /// </summary>
    internal sealed class ProxyAddress
    {
        /// <summary>The schemes a proxy may have: what the runtimes' handlers speak to a proxy (https: PowerShell 7's .NET only).</summary>
        private static readonly string[] Schemes = { "http", "https", "socks4", "socks4a", "socks5" };

        private ProxyAddress(Uri address, NetworkCredential? credential)
        {
            Address = address;
            Credential = credential;
        }

        /// <summary>scheme://host:port, no user information, no path.</summary>
        public Uri Address { get; }

        /// <summary>The user name and password the URI carried; null when it carried none.</summary>
        public NetworkCredential? Credential { get; }

        /// <summary>The proxy <paramref name="text"/> names, or null with why it names none.</summary>
        public static ProxyAddress? Parse(string? text, out string? why)
        {
            var trimmed = (text ?? string.Empty).Trim();
            if (trimmed.Length == 0)
            {
                why = "it is empty";
                return null;
            }

            if (trimmed.IndexOf("://", StringComparison.Ordinal) < 0)
            {
                trimmed = "http://" + trimmed;
            }

            if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri))
            {
                why = "it is not a URI";
                return null;
            }

            return From(uri, out why);
        }

        /// <summary>The proxy <paramref name="uri"/> names, or null with why it names none.</summary>
        public static ProxyAddress? From(Uri? uri, out string? why)
        {
            why = Problem(uri);
            if (why != null)
            {
                return null;
            }

            var address = new Uri(uri!.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped), UriKind.Absolute);
            return new ProxyAddress(address, CredentialOf(uri));
        }

        /// <summary>The system's proxy for a target, taken as the system gives it.</summary>
        public static ProxyAddress OfSystem(Uri proxy) => new ProxyAddress(new Uri(proxy.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped), UriKind.Absolute), null);

        /// <summary>Why <paramref name="uri"/> cannot be a proxy (null when it can): the rule -Proxy declares and the variables follow.</summary>
        public static string? Problem(Uri? uri)
        {
            if (uri == null || !uri.IsAbsoluteUri)
            {
                return "it is not an absolute URI such as http://proxy.example:3128";
            }

            if (Array.IndexOf(Schemes, uri.Scheme.ToLowerInvariant()) < 0)
            {
                return $"its scheme is '{uri.Scheme}'; a proxy is reached with http (or https, socks4, socks4a, socks5)";
            }

            return string.IsNullOrEmpty(uri.Host) ? "it names no host" : null;
        }

        public override string ToString() => Address.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);

        private static NetworkCredential? CredentialOf(Uri uri)
        {
            var info = uri.UserInfo;
            if (string.IsNullOrEmpty(info))
            {
                return null;
            }

            var colon = info.IndexOf(':');
            var user = Uri.UnescapeDataString(colon < 0 ? info : info.Substring(0, colon));
            var password = colon < 0 ? string.Empty : Uri.UnescapeDataString(info.Substring(colon + 1));
            return new NetworkCredential(user, password);
        }
    }
}
