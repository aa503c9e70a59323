using System;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.OAuth;
using TSheets.Auth.Reporting;
using TSheets.Auth.Storage;
using TSheets.Auth.Tokens;

namespace TSheets.Auth.Api
{
    /// <summary>
    /// One call to the TSheets API: the path under the connection's base URI, the request sent
    /// through the API's handlers (<see cref="ApiPipelines"/>: waits, bearer and refresh, pacing,
    /// one try), and the final answer read as JSON (failed batch items reported) or mapped to a
    /// stable error ID with TSheets' own message.
    /// </summary>
    internal sealed class ApiClient
    {
        private readonly HttpPipelines pipelines;
        private readonly TokenRefresher tokens;
        private readonly IClock clock;

        public ApiClient(HttpPipelines pipelines, TokenRefresher tokens, IClock clock)
        {
            this.pipelines = pipelines ?? throw new ArgumentNullException(nameof(pipelines));
            this.tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));
            this.clock = clock ?? throw new ArgumentNullException(nameof(clock));
        }

        /// <summary>The parsed answer (null for an empty body); failed batch items are taken out and reported as errors.</summary>
        public async Task<object?> SendAsync(CallScope scope, ApiRequest request)
        {
            if (!string.IsNullOrEmpty(request.ManagedClientId) && !request.ManagedClientId.All(c => c >= '0' && c <= '9'))
            {
                throw new ArgumentException("A managed client ID is digits only.", nameof(request));
            }

            var deadline = clock.UtcNow + request.Timeout;
            var connection = await tokens.GetAsync(scope, RefreshMode.Auto).ConfigureAwait(false);
            var uri = ApiPath.Build(connection.BaseUri, request.Path, request.Query);
            // The user's path and query: a token typed into them is masked before any message shows them.
            var described = Redactor.ScrubOutside($"{request.Method} {Describe(uri, connection.BaseUri)}");
            using (var message = new HttpRequestMessage(new HttpMethod(request.Method), uri))
            {
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

                var options = new RequestOptions
                {
                    Target = scope.Name,
                    TryTimeout = request.Timeout,
                    Report = scope.Report,
                    Described = described ?? request.Method,
                    MaximumRetryCount = request.MaximumRetryCount,
                    Deadline = deadline,
                }.AttachTo(message);
                var call = new ApiCall(scope, connection).AttachTo(message);
                using (var response = await pipelines.For(scope.Network).SendAsync(message, scope.Cancellation).ConfigureAwait(false))
                {
                    var answer = await HttpResult.ReadAsync(response).ConfigureAwait(false);
                    return Settle(answer, request, options, call);
                }
            }
        }

        /// <summary>What the final answer means: the parsed value, or the error that says what happened and what to do.</summary>
        private static object? Settle(HttpResult answer, ApiRequest request, RequestOptions options, ApiCall call)
        {
            var status = answer.StatusCode;
            var described = options.Described;
            var name = call.Scope.Name;
            if (status >= 200 && status <= 299)
            {
                return Accept(answer, request, described, name, call.Scope.Report);
            }

            if (status == 401)
            {
                throw call.RefusedToken != null && !call.RefreshedToSame
                    ? ApiFailures.LacksPermission(call.Connection, answer, described, call.Tokens)
                    : ApiFailures.Refused(call.Connection, answer, described, call.RefreshedToSame, call.Tokens);
            }

            if (options.WaitRefused.HasValue)
            {
                throw ApiFailures.TooLongToWait(answer, described, name, options.WaitRefused.Value, request.Timeout, call.Tokens);
            }

            throw ApiFailures.Failure(answer, described, name, options.Tries - 1, call.Tokens);
        }

        private static object? Accept(HttpResult answer, ApiRequest request, string described, string name, IReporter report)
        {
            if (string.IsNullOrWhiteSpace(answer.Body))
            {
                return null;
            }

            object? value;
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
                var failures = ApiShapes.TakeFailures(value);
                var accepted = ApiShapes.ItemCount(value);
                foreach (var failure in failures)
                {
                    report.Error(ApiFailures.BatchItem(failure, described, accepted, failures.Count));
                }
            }

            return value;
        }

        /// <summary>The call for a message: method and path under the base URI (scrubbed when shown).</summary>
        private static string Describe(Uri uri, Uri baseUri) =>
            uri.AbsoluteUri.StartsWith(baseUri.AbsoluteUri, StringComparison.Ordinal)
                ? uri.AbsoluteUri.Substring(baseUri.AbsoluteUri.Length).TrimStart('/')
                : uri.AbsolutePath;
    }
}
