using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth
{
    /// <summary>One call to the TSheets API.</summary>
    public sealed class ApiRequest
    {
        public string Method { get; set; } = "GET";

        /// <summary>Relative to the connection's base URI: <c>current_user</c>, <c>/users</c>.</summary>
        public string Path { get; set; }

        public IList<KeyValuePair<string, string>> Query { get; set; } = new List<KeyValuePair<string, string>>();

        /// <summary>JSON text, sent with POST, PUT and DELETE.</summary>
        public string JsonBody { get; set; }

        public string ManagedClientId { get; set; }

        public int MaximumRetryCount { get; set; } = 3;

        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);
    }

    /// <summary>The parsed answer, and what the user should be told about getting it.</summary>
    public sealed class ApiResult
    {
        public object Value { get; internal set; }

        public int StatusCode { get; internal set; }

        public List<string> Verbose { get; } = new List<string>();

        public List<string> Warnings { get; } = new List<string>();

        /// <summary>A vault write that failed during a refresh (the token itself is in the session).</summary>
        public TSheetsAuthException VaultFailure { get; internal set; }

        /// <summary>True when the answer says another page follows (<c>"more": true</c>).</summary>
        public bool More => Value is OrderedDictionary page && page.Contains("more") && page["more"] is bool more && more;
    }

    /// <summary>
    /// Calls the API with a connection's token: refreshes by policy, refreshes and retries once
    /// after a 401, backs off on 429 and 503 (honouring Retry-After), and reports every failure
    /// with a stable error ID and TSheets' own message.
    /// </summary>
    internal sealed class ApiClient
    {
        /// <summary>No wait, Retry-After included, is longer than this.</summary>
        internal static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

        private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);

        private readonly HttpTransport transport;
        private readonly TokenService tokens;
        private readonly IClock clock;
        private readonly Func<TimeSpan, CancellationToken, Task> delay;
        private readonly Random jitter = new Random();

        public ApiClient(HttpTransport transport, TokenService tokens, IClock clock, Func<TimeSpan, CancellationToken, Task> delay = null)
        {
            this.transport = transport;
            this.tokens = tokens;
            this.clock = clock;
            this.delay = delay ?? Task.Delay;
        }

        public async Task<ApiResult> SendAsync(string name, string vault, ApiRequest request, CancellationToken cancellationToken)
        {
            var result = new ApiResult();
            var refreshedAfter401 = false;
            for (var attempt = 0; ; attempt++)
            {
                var lookup = await tokens.GetAsync(name, RefreshMode.Auto, cancellationToken, vault).ConfigureAwait(false);
                Collect(result, lookup);
                var connection = lookup.Connection;
                var uri = BuildUri(connection.BaseUri, request);
                var watch = Stopwatch.StartNew();
                HttpResult answer;
                using (var message = BuildMessage(request, uri, connection))
                {
                    answer = await transport.SendAsync(message, request.Timeout, name, cancellationToken).ConfigureAwait(false);
                }

                var described = $"{request.Method} {Describe(uri, connection.BaseUri)}";
                result.Verbose.Add($"{described} -> {answer.StatusCode} in {watch.ElapsedMilliseconds} ms");
                var status = answer.StatusCode;
                if (status >= 200 && status <= 299)
                {
                    result.StatusCode = status;
                    result.Value = ParseBody(answer, described, name);
                    return result;
                }

                if (status == 401)
                {
                    if (!refreshedAfter401 && connection.CanRefresh)
                    {
                        refreshedAfter401 = true;
                        result.Verbose.Add($"TSheets refused the token ({described} -> 401); refreshing it and trying once more.");
                        Collect(result, await tokens.GetAsync(name, RefreshMode.Force, cancellationToken, vault).ConfigureAwait(false));
                        attempt = -1;
                        continue;
                    }

                    throw Rejected(connection, answer, described);
                }

                if ((status == 429 || status == 503) && attempt < request.MaximumRetryCount)
                {
                    var wait = Backoff(answer, attempt);
                    result.Verbose.Add($"{described} -> {status}; waiting {wait.TotalSeconds:0.0} s before try {attempt + 2} of {request.MaximumRetryCount + 1}.");
                    await delay(wait, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw Failure(answer, described, name, attempt);
            }
        }

        internal static Uri BuildUri(Uri baseUri, ApiRequest request)
        {
            var path = (request.Path ?? string.Empty).Trim();
            if (path.Length == 0 || path.Contains("://") || path.StartsWith("//", StringComparison.Ordinal) || path.Split('/', '?').Any(segment => segment == ".." || segment == "."))
            {
                throw new TSheetsAuthException(
                    ErrorIds.InvalidBaseUri,
                    $"The path '{Redactor.Scrub(path)}' must be relative to the connection's base URI ({baseUri}), like 'current_user' or 'timesheets': tokens are sent to that address only.",
                    Redactor.Scrub(path));
            }

            var query = new StringBuilder();
            var questionMark = path.IndexOf('?');
            if (questionMark >= 0)
            {
                query.Append(path.Substring(questionMark + 1));
                path = path.Substring(0, questionMark);
            }

            foreach (var pair in request.Query)
            {
                if (query.Length > 0)
                {
                    query.Append('&');
                }

                query.Append(PercentEncoding.Encode(pair.Key)).Append('=').Append(PercentEncoding.Encode(pair.Value));
            }

            var uri = UriRules.Combine(baseUri, path).AbsoluteUri;
            return new Uri(query.Length == 0 ? uri : uri + "?" + query, UriKind.Absolute);
        }

        private HttpRequestMessage BuildMessage(ApiRequest request, Uri uri, Connection connection)
        {
            var message = new HttpRequestMessage(new HttpMethod(request.Method), uri);
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SecureStrings.ToPlainText(connection.AccessToken));
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (!string.IsNullOrEmpty(request.ManagedClientId))
            {
                message.Headers.TryAddWithoutValidation("vnd.tsheets.ManagedClientId", request.ManagedClientId);
            }

            if (request.JsonBody != null && request.Method != "GET")
            {
                message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.JsonBody));
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            }

            return message;
        }

        private static object ParseBody(HttpResult answer, string described, string name)
        {
            if (string.IsNullOrWhiteSpace(answer.Body))
            {
                return null;
            }

            try
            {
                return JsonValues.Parse(answer.Body);
            }
            catch (Exception ex) when (ex is JsonException || ex is ArgumentException)
            {
                var what = ServerError.LooksLikeHtml(answer.Body, answer.ContentType) ? ServerError.Parse(answer.Body, answer.ContentType).Message : $"a '{answer.ContentType ?? "untyped"}' body";
                throw new TSheetsAuthException(
                    ErrorIds.InvalidServerResponse,
                    $"{described} answered {answer.StatusCode} with {what}, not JSON. A proxy or captive portal may be in the way.",
                    name,
                    ex)
                { StatusCode = answer.StatusCode };
            }
        }

        private TimeSpan Backoff(HttpResult answer, int attempt)
        {
            var retryAfter = answer.Headers?.RetryAfter;
            TimeSpan? asked = null;
            if (retryAfter?.Delta != null)
            {
                asked = retryAfter.Delta.Value;
            }
            else if (retryAfter?.Date != null)
            {
                asked = retryAfter.Date.Value - clock.UtcNow;
            }

            TimeSpan wait;
            if (asked.HasValue)
            {
                wait = asked.Value < TimeSpan.Zero ? TimeSpan.Zero : asked.Value;
            }
            else
            {
                // Exponential with jitter, so jobs limited together do not come back together.
                lock (jitter)
                {
                    wait = TimeSpan.FromMilliseconds((FirstBackoff.TotalMilliseconds * Math.Pow(2, attempt)) + jitter.Next(0, 250));
                }
            }

            return wait > MaxBackoff ? MaxBackoff : wait;
        }

        private static TSheetsAuthException Rejected(Connection connection, HttpResult answer, string described)
        {
            var what = connection.RefreshToken == null
                ? "It has no refresh token (a token made in the QuickBooks Time web UI): extend it or make a new one there under Feature Add-ons > API, then store it with Set-TSheetsToken."
                : "It could not be refreshed: sign in again with Connect-TSheets.";
            return new TSheetsAuthException(
                ErrorIds.TokenExpired,
                $"TSheets refused the token '{connection.Name}' ({described} -> 401: {ServerError.Parse(answer.Body, answer.ContentType).ToString() ?? "no explanation"}). {what}",
                connection.Name)
            { StatusCode = 401 };
        }

        private static TSheetsAuthException Failure(HttpResult answer, string described, string name, int retries)
        {
            var status = answer.StatusCode;
            var error = ServerError.Parse(answer.Body, answer.ContentType);
            var said = error.ToString() ?? "no explanation";
            var after = retries > 0 ? $" after {retries + 1} tries" : string.Empty;
            string id;
            string message;
            if (status == 429)
            {
                id = ErrorIds.RateLimited;
                message = $"TSheets is rate-limiting this token ({described} -> 429{after}: {said}). TSheets allows 300 calls in 5 minutes; wait and try again, or raise -MaximumRetryCount.";
            }
            else if (status == 499)
            {
                id = ErrorIds.IpBlocked;
                message = $"TSheets refused the call from this address ({described} -> 499): the company's IP restrictions block it. Ask an administrator to allow this address in QuickBooks Time. ({said})";
            }
            else if (status >= 500)
            {
                id = ErrorIds.ServiceUnavailable;
                message = $"TSheets could not answer ({described} -> {status}{after}: {said}). Try again later.";
            }
            else
            {
                id = ErrorIds.ApiError;
                message = $"TSheets refused {described} with HTTP {status}: {said}";
            }

            return new TSheetsAuthException(id, message, name) { StatusCode = status, ServerError = error.Code };
        }

        private static void Collect(ApiResult result, TokenLookup lookup)
        {
            if (lookup.Warning != null)
            {
                result.Warnings.Add(lookup.Warning);
            }

            if (lookup.Refreshed)
            {
                result.Verbose.Add($"Refreshed the token '{lookup.Connection.Name}'.");
            }

            result.VaultFailure = lookup.VaultFailure ?? result.VaultFailure;
        }

        private static string Describe(Uri uri, Uri baseUri)
        {
            // Not scrubbed here (this runs on every call): verbose text is scrubbed when shown,
            // and error messages when the exception is made.
            return uri.AbsoluteUri.StartsWith(baseUri.AbsoluteUri, StringComparison.Ordinal)
                ? uri.AbsoluteUri.Substring(baseUri.AbsoluteUri.Length).TrimStart('/')
                : uri.AbsolutePath;
        }
    }
}
