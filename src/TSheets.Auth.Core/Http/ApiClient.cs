using System;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth
{
    /// <summary>
    /// One call to the TSheets API with a connection's token: paced per token, refreshed by
    /// policy, refreshed and retried once after a 401, retried on 429 and 503 (honouring
    /// Retry-After), and every failure reported with a stable error ID and TSheets' own message.
    /// </summary>
    internal sealed class ApiClient
    {
        /// <summary>No wait for a 503 or a Retry-After is longer than this.</summary>
        internal static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

        private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);

        private readonly HttpTransport transport;
        private readonly TokenRefresher tokens;
        private readonly IClock clock;
        private readonly Pacer pacer;
        private readonly Random jitter = new Random();

        public ApiClient(HttpTransport transport, TokenRefresher tokens, IClock clock, Pacer pacer)
        {
            this.transport = transport;
            this.tokens = tokens;
            this.clock = clock;
            this.pacer = pacer;
        }

        /// <summary>The parsed answer (null for an empty body); failed batch items are taken out and reported as errors.</summary>
        public async Task<object> SendAsync(string name, string vault, ApiRequest request, IReporter report, CancellationToken cancellationToken)
        {
            if (!string.IsNullOrEmpty(request.ManagedClientId) && !request.ManagedClientId.All(c => c >= '0' && c <= '9'))
            {
                throw new ArgumentException("A managed client ID is digits only.", nameof(request));
            }

            var deadline = clock.UtcNow + request.Timeout;
            string refusedToken = null;
            for (var attempt = 0; ; attempt++)
            {
                var connection = await tokens.GetAsync(name, RefreshMode.Auto, vault, report, cancellationToken).ConfigureAwait(false);
                var token = SecureStrings.ToPlainText(connection.AccessToken);
                var uri = ApiPath.Build(connection.BaseUri, request.Path, request.Query);
                var described = $"{request.Method} {Describe(uri, connection.BaseUri)}";
                var key = Fingerprint.Of(token);
                var watch = Stopwatch.StartNew();
                var answer = await SendOnceAsync(request, uri, token, key, name, report, cancellationToken).ConfigureAwait(false);
                report.Verbose($"{described} -> {answer.StatusCode} in {watch.ElapsedMilliseconds} ms");
                var status = answer.StatusCode;
                if (status >= 200 && status <= 299)
                {
                    return Accept(answer, request, described, name, report);
                }

                if (status == 401)
                {
                    if (refusedToken == null && connection.CanRefresh)
                    {
                        refusedToken = token;
                        report.Verbose($"TSheets refused the token ({described} -> 401); refreshing it and trying once more.");
                        var fresh = await tokens.GetAsync(name, RefreshMode.Replace, vault, report, cancellationToken).ConfigureAwait(false);
                        if (ConstantTime.Equals(SecureStrings.ToPlainText(fresh.AccessToken), token))
                        {
                            throw ApiFailures.Refused(connection, answer, described, refreshedToSame: true, new[] { token });
                        }

                        attempt = -1;
                        continue;
                    }

                    throw refusedToken != null
                        ? ApiFailures.LacksPermission(connection, answer, described, new[] { token, refusedToken })
                        : ApiFailures.Refused(connection, answer, described, refreshedToSame: false, new[] { token });
                }

                if ((status == 429 || status == 503) && attempt < request.MaximumRetryCount)
                {
                    var wait = Wait(answer, attempt, pacer.Limit(report));
                    var unforeseen = status == 429 && answer.Headers?.RetryAfter == null;
                    if (unforeseen)
                    {
                        // The window is full whether or not this call waits it out: so is every other call on the token.
                        pacer.HoldUntil(key, clock.UtcNow + wait);
                    }

                    if (clock.UtcNow + wait > deadline)
                    {
                        throw ApiFailures.TooLongToWait(answer, described, name, wait, request.Timeout, new[] { token });
                    }

                    if (unforeseen)
                    {
                        report.Warning($"TSheets refused {described} with 429 (rate limit), which pacing did not expect: another process may be using the same token. Waiting {wait.TotalSeconds:0} s for the window to end.");
                    }
                    else
                    {
                        report.Verbose($"{described} -> {status}; waiting {wait.TotalSeconds:0.0} s before try {attempt + 2} of {request.MaximumRetryCount + 1}.");
                    }

                    await clock.DelayAsync(wait, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw ApiFailures.Failure(answer, described, name, attempt, new[] { token });
            }
        }

        private async Task<HttpResult> SendOnceAsync(ApiRequest request, Uri uri, string token, string key, string name, IReporter report, CancellationToken cancellationToken)
        {
            var slot = await pacer.AcquireAsync(key, report, cancellationToken).ConfigureAwait(false);
            try
            {
                using (var message = new HttpRequestMessage(new HttpMethod(request.Method), uri))
                {
                    message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                    if (!string.IsNullOrEmpty(request.ManagedClientId))
                    {
                        message.Headers.Add("vnd.tsheets.ManagedClientId", request.ManagedClientId);
                    }

                    if (request.JsonBody != null && request.Method != "GET")
                    {
                        message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.JsonBody));
                        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                    }

                    return await transport.SendAsync(message, request.Timeout, name, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                slot.Finish();
            }
        }

        private static object Accept(HttpResult answer, ApiRequest request, string described, string name, IReporter report)
        {
            if (string.IsNullOrWhiteSpace(answer.Body))
            {
                return null;
            }

            object value;
            try
            {
                value = ApiShapes.Normalize(JsonValues.Parse(answer.Body));
            }
            catch (Exception ex) when (ex is JsonException || ex is ArgumentException)
            {
                throw new TSheetsAuthException(
                    ErrorIds.InvalidServerResponse,
                    $"{described} answered {answer.StatusCode} with {ServerError.Describe(answer.Body, answer.ContentType)}, not JSON. A proxy or captive portal may be in the way.",
                    name,
                    ex)
                { StatusCode = answer.StatusCode };
            }

            if (request.Method == "POST" || request.Method == "PUT")
            {
                foreach (var failure in ApiShapes.TakeFailures(value))
                {
                    report.Error(ApiFailures.BatchItem(failure, described));
                }
            }

            return value;
        }

        /// <summary>How long to wait before retrying a 429 or 503: Retry-After, else a 429's full window, else back-off.</summary>
        private TimeSpan Wait(HttpResult answer, int attempt, RateLimit limit)
        {
            var retryAfter = answer.Headers?.RetryAfter;
            TimeSpan wait;
            if (retryAfter?.Delta != null)
            {
                wait = retryAfter.Delta.Value;
            }
            else if (retryAfter?.Date != null)
            {
                wait = retryAfter.Date.Value - clock.UtcNow;
            }
            else if (answer.StatusCode == 429)
            {
                // TSheets refuses until the window ends and sends no Retry-After: a window from now, it must have.
                return limit.Window;
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

        /// <summary>The call for a message: method and path under the base URI (scrubbed when shown).</summary>
        private static string Describe(Uri uri, Uri baseUri) =>
            uri.AbsoluteUri.StartsWith(baseUri.AbsoluteUri, StringComparison.Ordinal)
                ? uri.AbsoluteUri.Substring(baseUri.AbsoluteUri.Length).TrimStart('/')
                : uri.AbsolutePath;
    }
}
