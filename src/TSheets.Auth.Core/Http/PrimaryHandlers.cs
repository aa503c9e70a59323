using System;
using System.Collections.Concurrent;
using System.Net.Http;
using System.Threading;
using TSheets.Auth.Platform;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// The handlers that put requests on the wire: one per distinct <see cref="NetworkSettings"/>,
    /// made at first use and kept for the process, so connections are pooled and reused. TLS 1.2+
    /// is set on each handler (never process-wide), the system proxy is honoured, cookies are not
    /// kept, and redirects are not followed (a redirect from an API is a captive portal or a
    /// misconfiguration, and must not carry a bearer token elsewhere).
    /// </summary>
    internal sealed class PrimaryHandlers
    {
        private readonly ConcurrentDictionary<NetworkSettings, Lazy<HttpMessageHandler>> made =
            new ConcurrentDictionary<NetworkSettings, Lazy<HttpMessageHandler>>();

        private readonly Func<NetworkSettings, HttpMessageHandler> create;

        /// <param name="create">Makes the handler for some settings; null: the real one (<see cref="Create"/>).</param>
        public PrimaryHandlers(Func<NetworkSettings, HttpMessageHandler>? create = null) => this.create = create ?? Create;

        /// <summary>One handler for every settings (tests: a fake server).</summary>
        public static PrimaryHandlers Using(HttpMessageHandler handler) => new PrimaryHandlers(_ => handler);

        public HttpMessageHandler For(NetworkSettings? settings) =>
            made.GetOrAdd(settings ?? NetworkSettings.Default, key => new Lazy<HttpMessageHandler>(() => create(key), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

        public static HttpMessageHandler Create(NetworkSettings settings)
        {
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                UseProxy = true,
                AutomaticDecompression = System.Net.DecompressionMethods.GZip | System.Net.DecompressionMethods.Deflate,
            };
            TlsPolicy.TryApply(handler, TlsPolicy.Choose(System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription, Environment.OSVersion));
            return handler;
        }
    }
}
