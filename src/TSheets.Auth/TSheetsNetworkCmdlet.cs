using System;
using System.Management.Automation;
using TSheets.Auth.Operations;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// A cmdlet that can reach the network: the proxy parameters of Invoke-RestMethod, with its
    /// meaning, bound here once for every such cmdlet and passed to Core as they are (Core checks
    /// and decides). -ProxyCredential and -ProxyUseDefaultCredentials also apply to a proxy the
    /// variables or the system name. Set them for a session with $PSDefaultParameterValues.
    /// </summary>
    public abstract class TSheetsNetworkCmdlet : TSheetsCmdlet
    {
        // $null is allowed: it leaves out a value $PSDefaultParameterValues would give.
        [Parameter]
        [ValidateProxyUri]
        public Uri Proxy { get; set; }

        [Parameter]
        [Credential]
        public PSCredential ProxyCredential { get; set; }

        [Parameter]
        public SwitchParameter ProxyUseDefaultCredentials { get; set; }

        [Parameter]
        public SwitchParameter NoProxy { get; set; }

        /// <summary>
        /// The proxy options for Core. A user name and password in -Proxy are taken out of the
        /// invocation info that error records and Get-Error display.
        /// </summary>
        internal NetworkOptions NetworkOptions()
        {
            if (Proxy != null && Proxy.IsAbsoluteUri && !string.IsNullOrEmpty(Proxy.UserInfo) && MyInvocation.BoundParameters.ContainsKey(nameof(Proxy)))
            {
                MyInvocation.BoundParameters[nameof(Proxy)] = new Uri(Proxy.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped));
            }

            return new NetworkOptions
            {
                Proxy = Proxy,
                ProxyCredential = ProxyCredential?.GetNetworkCredential(),
                ProxyUseDefaultCredentials = ProxyUseDefaultCredentials,
                NoProxy = NoProxy,
            };
        }
    }
}
