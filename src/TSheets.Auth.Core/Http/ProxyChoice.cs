using System;
using System.Net;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// Which proxy a request goes through, and with which credential: pure decisions over the
    /// settings (the environment and the system's proxy are given, never read here), so each rule
    /// is tested alone. The rules, in order: -NoProxy goes direct; -Proxy goes through it, whatever
    /// the target; a loopback target (localhost, 127.0.0.0/8, ::1) goes direct, whatever the
    /// variables or the system say (Go's rule: a secret for a local server never travels to a proxy);
    /// a target NO_PROXY names goes direct; then the proxy variable for the target's scheme, when
    /// one names a proxy, else the system's proxy.
    /// </summary>
    internal static class ProxyChoice
    {
        /// <summary>The proxy a request to <paramref name="target"/> goes through; null: direct.</summary>
        /// <param name="target">Where the request goes.</param>
        /// <param name="settings">The operation's options and the proxy variables.</param>
        /// <param name="systemProxy">The system's proxy for a target (null: direct); asked only when neither an option nor a variable decides.</param>
        public static ProxyAddress? For(Uri target, NetworkSettings settings, Func<Uri, Uri?> systemProxy)
        {
            if (settings.NoProxy)
            {
                return null;
            }

            if (settings.Proxy != null)
            {
                return settings.Proxy;
            }

            var environment = settings.Environment;
            if (IsLoopback(target) || environment.Bypass.Matches(target))
            {
                return null;
            }

            if (environment.NamesAProxy)
            {
                return target.Scheme == Uri.UriSchemeHttps ? environment.HttpsProxy : environment.HttpProxy;
            }

            var system = systemProxy(target);
            return system == null || system == target ? null : ProxyAddress.OfSystem(system);
        }

        /// <summary>The proxy the variables alone choose for <paramref name="target"/> (no option given); null: direct.</summary>
        public static ProxyAddress? FromEnvironment(Uri target, ProxyEnvironment environment) =>
            For(target, new NetworkSettings(null, null, false, false, environment), _ => null);

        /// <summary>
        /// The credential a proxy is answered with: -ProxyCredential (or the user name in -Proxy),
        /// else with -ProxyUseDefaultCredentials the logged-on user's, else the user name in the
        /// variable that named this proxy, else the system proxy's own (what a script set on
        /// [System.Net.WebRequest]::DefaultWebProxy); null: none, so a 407 is the answer.
        /// </summary>
        public static NetworkCredential? CredentialFor(Uri proxy, string authenticationType, NetworkSettings settings, ICredentials? systemCredentials)
        {
            if (settings.Credential != null)
            {
                return settings.Credential;
            }

            if (settings.UseDefaultCredentials)
            {
                return CredentialCache.DefaultNetworkCredentials;
            }

            var environment = settings.Environment;
            foreach (var named in new[] { environment.HttpsProxy, environment.HttpProxy })
            {
                if (named?.Credential != null && SameProxy(named.Address, proxy))
                {
                    return named.Credential;
                }
            }

            return settings.Proxy == null && !environment.NamesAProxy ? systemCredentials?.GetCredential(proxy, authenticationType) : null;
        }

        /// <summary>What the handler itself is given: whether it uses a proxy at all, and its credentials for the system's proxy.</summary>
        public static (bool UseProxy, ICredentials? DefaultProxyCredentials) ForHandler(NetworkSettings settings) =>
            (!settings.NoProxy, settings.UseDefaultCredentials ? CredentialCache.DefaultCredentials : null);

        /// <summary>True for localhost, 127.0.0.0/8 and ::1 (an IPv4-mapped 127.x too): targets the environment and the system never proxy.</summary>
        public static bool IsLoopback(Uri uri)
        {
            if (uri.IsLoopback)
            {
                return true;
            }

            var host = uri.DnsSafeHost.TrimEnd('.');
            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (!IPAddress.TryParse(host, out var address))
            {
                return false;
            }

            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            return IPAddress.IsLoopback(address);
        }

        private static bool SameProxy(Uri a, Uri b) =>
            string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(a.DnsSafeHost, b.DnsSafeHost, StringComparison.OrdinalIgnoreCase)
            && a.Port == b.Port;
    }
}
