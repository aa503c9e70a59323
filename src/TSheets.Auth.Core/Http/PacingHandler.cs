using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// Client-side pacing as a handler (the <see cref="Pacer"/> decides): each try waits for a slot
    /// on its token (the key the bearer handler set), and holds it from send until its answer is
    /// in. A 429 the pacer did not foresee (no Retry-After: another process on the same token)
    /// means the window is full for every call on the token, so none is sent until it ends.
    /// </summary>
    internal sealed class PacingHandler : DelegatingHandler
    {
        private readonly Pacer pacer;
        private readonly IClock clock;

        public PacingHandler(Pacer pacer, IClock clock)
        {
            this.pacer = pacer ?? throw new ArgumentNullException(nameof(pacer));
            this.clock = clock ?? throw new ArgumentNullException(nameof(clock));
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var options = RequestOptions.Of(request);
            var key = options.TokenKey ?? throw new InvalidOperationException("Pacing needs the token's key (the bearer handler sets it).");
            var slot = await pacer.AcquireAsync(key, options.Report, cancellationToken).ConfigureAwait(false);
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                slot.Finish();
            }

            if ((int)response.StatusCode == 429 && response.Headers.RetryAfter == null)
            {
                pacer.HoldUntil(key, clock.UtcNow + pacer.Limit(options.Report).Window);
            }

            return response;
        }
    }
}
