using System;
using System.Collections.Concurrent;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// A chain of handlers over a primary handler: what a call goes through. No HttpClient: its
    /// timeout and buffering would hide what the handlers decide. The product name and version go
    /// out as the User-Agent.
    /// </summary>
    internal sealed class HttpPipeline : IDisposable
    {
        private static readonly ProductInfoHeaderValue UserAgent =
            new ProductInfoHeaderValue("TSheets.Auth", typeof(HttpPipeline).Assembly.GetName().Version.ToString(3));

        private readonly HttpMessageInvoker invoker;

        public HttpPipeline(HttpMessageHandler chain) => invoker = new HttpMessageInvoker(chain, disposeHandler: false);

        /// <summary>Sends <paramref name="request"/>; the answer's body is already read (see <see cref="TryTimeoutHandler"/>).</summary>
        public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.UserAgent.Count == 0)
            {
                request.Headers.UserAgent.Add(UserAgent);
            }

            return invoker.SendAsync(request, cancellationToken);
        }

        /// <summary>The chain is shared and kept for the process: nothing to release but the invoker itself.</summary>
        public void Dispose() => invoker.Dispose();
    }

    /// <summary>
    /// One pipeline per network settings, composed once over that settings' primary handler and kept:
    /// the handlers hold no per-request state (it travels in the request, see <see cref="RequestOptions"/>).
    /// </summary>
    internal sealed class HttpPipelines
    {
        private readonly PrimaryHandlers primaries;
        private readonly Func<HttpMessageHandler, HttpMessageHandler> compose;
        private readonly ConcurrentDictionary<NetworkSettings, Lazy<HttpPipeline>> made = new ConcurrentDictionary<NetworkSettings, Lazy<HttpPipeline>>();

        /// <param name="primaries">The primary handlers, shared with every other kind of pipeline.</param>
        /// <param name="compose">The chain over a primary handler, outermost handler returned.</param>
        public HttpPipelines(PrimaryHandlers primaries, Func<HttpMessageHandler, HttpMessageHandler> compose)
        {
            this.primaries = primaries ?? throw new ArgumentNullException(nameof(primaries));
            this.compose = compose ?? throw new ArgumentNullException(nameof(compose));
        }

        /// <summary>The per-try timeout and bounded answer alone: what <c>/grant</c> goes through.</summary>
        public static HttpPipelines Plain(PrimaryHandlers primaries) => new HttpPipelines(primaries, primary => new TryTimeoutHandler { InnerHandler = primary });

        public HttpPipeline For(NetworkSettings? settings) =>
            made.GetOrAdd(settings ?? NetworkSettings.Default, key => new Lazy<HttpPipeline>(() => new HttpPipeline(compose(primaries.For(key))), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }
}
