using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Reporting;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// 429 and 503 tried again, up to <see cref="RequestOptions.MaximumRetryCount"/> times, after
    /// the wait the answer asks for (Retry-After, in seconds or as a date), else a 429's whole
    /// window (TSheets refuses until it ends and sends no Retry-After), else exponential back-off
    /// with jitter. A wait that would end after the call's <see cref="RequestOptions.Deadline"/> is
    /// not waited: the answer goes back with <see cref="RequestOptions.WaitRefused"/> set, for the
    /// caller to say so.
    /// </summary>
    internal sealed class RetryHandler : DelegatingHandler
    {
        /// <summary>No wait for a 503 or a Retry-After is longer than this.</summary>
        internal static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

        private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);

        private readonly IClock clock;
        private readonly Pacer pacer;
        private readonly Random jitter = new Random();

        /// <param name="clock">Reads the time and waits.</param>
        /// <param name="pacer">Says how long a rate-limit window is.</param>
        public RetryHandler(IClock clock, Pacer pacer)
        {
            this.clock = clock ?? throw new ArgumentNullException(nameof(clock));
            this.pacer = pacer ?? throw new ArgumentNullException(nameof(pacer));
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var options = RequestOptions.Of(request);
            var body = options.MaximumRetryCount > 0 ? await RequestCopy.BodyOf(request).ConfigureAwait(false) : null;
            var attempt = 0;
            var current = request;
            try
            {
                while (true)
                {
                    options.Tries = attempt + 1;
                    var response = await base.SendAsync(current, cancellationToken).ConfigureAwait(false);
                    var status = (int)response.StatusCode;
                    if ((status != 429 && status != 503) || attempt >= options.MaximumRetryCount)
                    {
                        return response;
                    }

                    var wait = Wait(response, attempt, options.Report);
                    if (options.Deadline == null || clock.UtcNow + wait > options.Deadline.Value)
                    {
                        options.WaitRefused = wait;
                        return response;
                    }

                    if (status == 429 && response.Headers.RetryAfter == null)
                    {
                        options.Report.Warning($"TSheets refused {options.Described} with 429 (rate limit), which pacing did not expect: another process may be using the same token. Waiting {wait.TotalSeconds:0} s for the window to end.");
                    }
                    else
                    {
                        options.Report.Verbose($"{options.Described} -> {status}; waiting {wait.TotalSeconds:0.0} s before try {attempt + 2} of {options.MaximumRetryCount + 1}.");
                    }

                    response.Dispose();
                    await clock.DelayAsync(wait, cancellationToken).ConfigureAwait(false);
                    attempt++;
                    if (!ReferenceEquals(current, request))
                    {
                        current.Dispose();
                    }

                    current = RequestCopy.Of(request, body);
                }
            }
            catch
            {
                if (!ReferenceEquals(current, request))
                {
                    current.Dispose();
                }

                throw;
            }
        }

        /// <summary>How long to wait before trying a 429 or 503 again: Retry-After, else a 429's full window, else back-off.</summary>
        private TimeSpan Wait(HttpResponseMessage answer, int attempt, IReporter report)
        {
            var retryAfter = answer.Headers.RetryAfter;
            TimeSpan wait;
            if (retryAfter?.Delta != null)
            {
                wait = retryAfter.Delta.Value;
            }
            else if (retryAfter?.Date != null)
            {
                wait = retryAfter.Date.Value - clock.UtcNow;
            }
            else if ((int)answer.StatusCode == 429)
            {
                // TSheets refuses until the window ends and sends no Retry-After: a window from now, it must have.
                return pacer.Limit(report).Window;
            }
            else
            {
                // Exponential with jitter, so jobs turned away together do not come back together.
                lock (jitter)
                {
                    wait = TimeSpan.FromMilliseconds((FirstBackoff.TotalMilliseconds * Math.Pow(2, attempt)) + jitter.Next(0, 250));
                }
            }

            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxBackoff ? MaxBackoff : wait;
        }
    }
}
