using System;
using System.Net;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// The proxy a primary handler is given: <see cref="ProxyChoice"/>'s decisions for its settings,
    /// asked for each request (cheap: the variables were parsed once, by these settings), and the
    /// credential for whichever proxy the request goes through. The system's proxy is read at each
    /// use, so what a script sets on [System.Net.WebRequest]::DefaultWebProxy applies.
    /// </summary>
    internal sealed class ModuleProxy : IWebProxy, ICredentials
    {
        private readonly NetworkSettings settings;
        private readonly Func<IWebProxy?> system;

        /// <param name="settings">The settings whose decisions it gives.</param>
        /// <param name="system">The system's proxy (null: none), read at each use.</param>
        public ModuleProxy(NetworkSettings settings, Func<IWebProxy?> system)
        {
            this.settings = settings ?? throw new ArgumentNullException(nameof(settings));
            this.system = system ?? throw new ArgumentNullException(nameof(system));
        }

        /// <summary>Whoever asks for the proxy's credentials gets this object, which answers per proxy.</summary>
        public ICredentials? Credentials
        {
            get => this;
            set
            {
                // Decided by the settings: nothing else may change them.
            }
        }

        /// <summary>The proxy for <paramref name="destination"/>, or the destination itself: direct.</summary>
        public Uri GetProxy(Uri destination) => Route(destination)?.Address ?? destination;

        public bool IsBypassed(Uri host) => Route(host) == null;

        /// <summary>The route <see cref="ProxyChoice"/> decides; null: direct.</summary>
        public ProxyAddress? Route(Uri destination) => ProxyChoice.For(destination, settings, SystemProxyFor);

        public NetworkCredential? GetCredential(Uri uri, string authType) => ProxyChoice.CredentialFor(uri, authType, settings, system()?.Credentials);

        private Uri? SystemProxyFor(Uri destination)
        {
            var proxy = system();
            return proxy == null || proxy.IsBypassed(destination) ? null : proxy.GetProxy(destination);
        }
    }
}
