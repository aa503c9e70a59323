#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Net;

namespace TSheets.Auth.Operations
{
    /// <summary>
    /// The proxy options a cmdlet that can reach the network was given, as Invoke-RestMethod names
    /// them. Plain values: Core checks them (options that contradict each other are refused) and,
    /// with the proxy variables, decides (<c>Http.NetworkSettings</c>). Never stored anywhere.
    /// </summary>
    internal sealed class NetworkOptions
    {
        /// <summary>-Proxy: every request through it; user:password in it are the proxy's credential.</summary>
        public Uri Proxy { get; set; }

        /// <summary>-ProxyCredential: for whichever proxy a request goes through.</summary>
        public NetworkCredential ProxyCredential { get; set; }

        /// <summary>-ProxyUseDefaultCredentials: the logged-on user's credentials for the proxy.</summary>
        public bool ProxyUseDefaultCredentials { get; set; }

        /// <summary>-NoProxy: every request direct, whatever the variables and the system say.</summary>
        public bool NoProxy { get; set; }
    }
}
