using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using TSheets.Auth.Platform;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// The handlers that put requests on the wire: one per distinct <see cref="NetworkSettings"/>,
    /// made at first use and kept for the process, so connections are pooled and reused. TLS 1.2+
    /// is set on each handler (never process-wide), the proxy is the settings' (<see cref="ModuleProxy"/>,
    /// with <see cref="ProxyHandler"/> over the handler to name it in failures), cookies are not
    /// kept, and redirects are not followed (a redirect from an API is a captive portal or a
    /// misconfiguration, and must not carry a bearer token elsewhere). Every settings made here is
    /// remembered, so the redactor knows their proxy passwords while the handlers hold them.
    /// </summary>
    internal sealed class PrimaryHandlers
    {
        private readonly ConcurrentDictionary<NetworkSettings, Lazy<HttpMessageHandler>> made =
            new ConcurrentDictionary<NetworkSettings, Lazy<HttpMessageHandler>>();

        private readonly Func<NetworkSettings, IWebProxy, HttpMessageHandler> create;
        private readonly Func<IWebProxy?> system;

        /// <param name="create">Makes the handler on the wire for some settings and their proxy; null: the real one (<see cref="Create"/>).</param>
        /// <param name="system">The system's proxy, read at each use; null: the runtime's (WebRequest.DefaultWebProxy).</param>
        public PrimaryHandlers(Func<NetworkSettings, IWebProxy, HttpMessageHandler>? create = null, Func<IWebProxy?>? system = null)
        {
            this.create = create ?? Create;
            this.system = system ?? (() => WebRequest.DefaultWebProxy);
        }

        /// <summary>One handler on the wire for every settings (tests: a fake server), under the real proxy decisions, with no system proxy.</summary>
        public static PrimaryHandlers Using(HttpMessageHandler handler) => new PrimaryHandlers((_, _) => handler, () => null);

        /// <summary>The settings' handler: <see cref="ProxyHandler"/> over the one on the wire, both with the settings' proxy.</summary>
        public HttpMessageHandler For(NetworkSettings? settings) =>
            made.GetOrAdd(settings ?? NetworkSettings.Default, key => new Lazy<HttpMessageHandler>(() => Compose(key), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

        /// <summary>The proxy passwords of every settings a handler was made (or asked) for: secrets in play for the process.</summary>
        public IEnumerable<string> Secrets() => made.Keys.SelectMany(settings => settings.Secrets());

        public static HttpMessageHandler Create(NetworkSettings settings, IWebProxy proxy)
        {
            var (useProxy, defaultProxyCredentials) = ProxyChoice.ForHandler(settings);
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                UseProxy = useProxy,
                Proxy = useProxy ? proxy : null,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            };
            if (defaultProxyCredentials != null)
            {
                TrySetDefaultProxyCredentials(handler, defaultProxyCredentials);
            }

            TlsPolicy.TryApply(handler, TlsPolicy.Choose(System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription, Environment.OSVersion));
            return handler;
        }

        private static void TrySetDefaultProxyCredentials(HttpClientHandler handler, ICredentials credentials)
        {
            try
            {
                SetDefaultProxyCredentials(handler, credentials);
            }
            catch (MissingMethodException)
            {
                // .NET Framework before 4.7.1 lacks the property (hence its own method, compiled apart):
                // the module's proxy answers with the same credentials itself.
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static void SetDefaultProxyCredentials(HttpClientHandler handler, ICredentials credentials) => handler.DefaultProxyCredentials = credentials;

        private ProxyHandler Compose(NetworkSettings settings)
        {
            var proxy = new ModuleProxy(settings, system);
            return new ProxyHandler(proxy, settings) { InnerHandler = create(settings, proxy) };
        }
    }
}
