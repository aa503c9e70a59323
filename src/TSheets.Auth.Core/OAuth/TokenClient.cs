using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Http;

namespace TSheets.Auth.OAuth
{
    /// <summary>
    /// Step 2 of the flow and the refresh: form POSTs to <c>{base}/grant</c> through the plain
    /// pipeline (no API handler). The client is authenticated exactly one way (its
    /// <see cref="ClientCredentials.Method"/>); no access token and no other Authorization header
    /// ever goes to the token endpoint.
    /// </summary>
    internal sealed class TokenClient
    {
        public static readonly TimeSpan DefaultTimeout = GrantTimeout.Default;

        /// <summary>Environment variable overriding <see cref="DefaultTimeout"/> (1 to 300 seconds), for slow links.</summary>
        public const string TimeoutVariable = GrantTimeout.Variable;

        private readonly HttpPipelines pipelines;
        private readonly Func<TimeSpan> timeout;

        /// <param name="pipelines">The plain pipelines (one try, bounded answer).</param>
        /// <param name="timeout">Read at each call (<see cref="TimeoutVariable"/>, else 30 seconds).</param>
        public TokenClient(HttpPipelines pipelines, GrantTimeout timeout)
            : this(pipelines, () => timeout.Current)
        {
        }

        /// <param name="pipelines">The plain pipelines (one try, bounded answer).</param>
        /// <param name="timeout">Each call's timeout.</param>
        public TokenClient(HttpPipelines pipelines, TimeSpan timeout)
            : this(pipelines, () => timeout)
        {
        }

        private TokenClient(HttpPipelines pipelines, Func<TimeSpan> timeout)
        {
            this.pipelines = pipelines ?? throw new ArgumentNullException(nameof(pipelines));
            this.timeout = timeout;
        }

        /// <summary>
        /// Redeems a code. A code is used up only by a successful exchange, so one that fails on the
        /// way (5xx, a reset, a timeout) is sent once more at once: codes live about 30 seconds.
        /// </summary>
        public async Task<TokenGrant> ExchangeCodeAsync(GrantRequest request, CancellationToken cancellationToken)
        {
            var fields = new List<KeyValuePair<string, string?>>
            {
                Field("grant_type", "authorization_code"),
                Field("code", request.Code),
                Field("redirect_uri", request.RedirectUri == null ? null : UriRules.WireText(request.RedirectUri)),
            };
            if (!string.IsNullOrEmpty(request.CodeVerifier))
            {
                fields.Add(Field("code_verifier", request.CodeVerifier));
            }

            var secrets = new[] { request.Code, request.CodeVerifier };
            try
            {
                return await PostAsync(request, fields, secrets, cancellationToken).ConfigureAwait(false);
            }
            catch (TSheetsAuthException ex) when (ex.ErrorId == ErrorIds.ServiceUnavailable && !cancellationToken.IsCancellationRequested)
            {
                return await PostAsync(request, fields, secrets, cancellationToken).ConfigureAwait(false);
            }
        }

        public Task<TokenGrant> RefreshAsync(GrantRequest request, CancellationToken cancellationToken)
        {
            var refresh = SecureStrings.ToPlainText(request.RefreshToken);
            var fields = new List<KeyValuePair<string, string?>>
            {
                Field("grant_type", "refresh_token"),
                Field("refresh_token", refresh),
            };
            return PostAsync(request, fields, new[] { refresh }, cancellationToken);
        }

        private async Task<TokenGrant> PostAsync(GrantRequest grant, List<KeyValuePair<string, string?>> fields, string?[] secrets, CancellationToken cancellationToken)
        {
            var client = grant.Client;
            var secret = SecureStrings.ToPlainText(client.ClientSecret);
            using (var request = new HttpRequestMessage(HttpMethod.Post, UriRules.Combine(grant.BaseUri, "grant")))
            {
                var form = new List<KeyValuePair<string, string?>>(fields);
                client.Apply(form, request.Headers, secret);
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(PercentEncoding.EncodeForm(form)));
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                new RequestOptions { Target = grant.Name, TryTimeout = timeout() }.AttachTo(request);
                HttpResult result;
                using (var response = await pipelines.For(grant.Network).SendAsync(request, cancellationToken).ConfigureAwait(false))
                {
                    result = await HttpResult.ReadAsync(response).ConfigureAwait(false);
                }

                var known = new List<string?>(secrets) { secret };
                return TokenGrant.Parse(result, grant.Name, known, client.ClientId);
            }
        }


        private static KeyValuePair<string, string?> Field(string name, string? value) => new KeyValuePair<string, string?>(name, value);
    }
}
