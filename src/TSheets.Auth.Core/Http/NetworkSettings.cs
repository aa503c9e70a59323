using System;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// How requests reach the network: the key for choosing (and keeping) a primary handler and the
    /// pipelines over it. Empty for now: every call uses the system's proxy settings. The proxy
    /// options (-Proxy, -ProxyCredential, -NoProxy, the proxy environment variables) become its
    /// fields; two equal settings share one handler, so their connections stay pooled.
    /// </summary>
    internal sealed class NetworkSettings : IEquatable<NetworkSettings>
    {
        public static readonly NetworkSettings Default = new NetworkSettings();

        public bool Equals(NetworkSettings? other) => other != null;

        public override bool Equals(object? obj) => Equals(obj as NetworkSettings);

        public override int GetHashCode() => 0;

        public override string ToString() => "the system's proxy settings";
    }
}
