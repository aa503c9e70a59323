using System;
using System.Diagnostics;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.Storage;
using TSheets.Auth.Tokens;

namespace TSheets.Auth.Api
{
    /// <summary>
    /// The connection's token on every try, and one refresh-and-retry after a 401 (never a loop):
    /// a 401 with a token that cannot be refreshed, a refresh that gives back the refused token,
    /// or a 401 again with the fresh one goes back to the caller with <see cref="ApiCall"/> saying
    /// which, so its message says what to do. The token goes only under the connection's base URI.
    /// </summary>
    internal sealed class BearerHandler : DelegatingHandler
    {
        private readonly TokenRefresher tokens;

        public BearerHandler(TokenRefresher tokens) => this.tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var call = ApiCall.Of(request) ?? throw new InvalidOperationException("An API request carries its ApiCall.");
            var options = RequestOptions.Of(request);
            var scope = call.Scope;
            var connection = call.Sent && call.RefusedToken == null
                ? await tokens.GetAsync(scope, RefreshMode.Auto).ConfigureAwait(false)
                : call.Connection;
            call.Sent = true;
            var response = await SendWithAsync(connection, request, call, options, cancellationToken).ConfigureAwait(false);
            if ((int)response.StatusCode != 401 || call.RefusedToken != null || !connection.CanRefresh)
            {
                return response;
            }

            var refused = SecureStrings.ToPlainText(connection.AccessToken)!;
            call.RefusedToken = refused;
            options.Report.Verbose($"TSheets refused the token ({options.Described} -> 401); refreshing it and trying once more.");
            byte[]? body;
            Connection fresh;
            try
            {
                body = await RequestCopy.BodyOf(request).ConfigureAwait(false);
                fresh = await tokens.GetAsync(scope, RefreshMode.Replace).ConfigureAwait(false);
            }
            catch
            {
                response.Dispose();
                throw;
            }

            call.Connection = fresh;
            if (ConstantTime.Equals(SecureStrings.ToPlainText(fresh.AccessToken), refused))
            {
                call.RefreshedToSame = true;
                return response;
            }

            response.Dispose();
            using (var again = RequestCopy.Of(request, body))
            {
                var answer = await SendWithAsync(fresh, again, call, options, cancellationToken).ConfigureAwait(false);
                // The copy goes with this method; the answer outlives it, so it is detached from it.
                answer.RequestMessage = request;
                return answer;
            }
        }

        private async Task<HttpResponseMessage> SendWithAsync(Connection connection, HttpRequestMessage request, ApiCall call, RequestOptions options, CancellationToken cancellationToken)
        {
            if (!ApiPath.IsUnder(request.RequestUri, connection.BaseUri))
            {
                throw new TSheetsAuthException(
                    ErrorIds.InvalidPath,
                    $"The connection '{connection.Name}' now points to another base URI ({connection.BaseUri}) than this call's address, so its token was not sent there. Run the command again.",
                    connection.Name);
            }

            var token = SecureStrings.ToPlainText(connection.AccessToken)!;
            call.Connection = connection;
            call.Tokens.Add(token);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            options.TokenKey = Fingerprint.Of(token);
            var watch = Stopwatch.StartNew();
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            options.Report.Verbose($"{options.Described} -> {(int)response.StatusCode} in {watch.ElapsedMilliseconds} ms");
            return response;
        }
    }
}
