using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth
{
    /// <summary>
    /// Step 2 of the flow and the refresh: form POSTs to <c>{base}/grant</c>. The client is
    /// authenticated exactly one way (its <see cref="ClientCredentials.Method"/>); no access token
    /// and no other Authorization header ever goes to the token endpoint.
    /// </summary>
    internal sealed class TokenClient
    {
        public static readonly TimeSpan DefaultTimeout = GrantTimeout.Default;

        /// <summary>Environment variable overriding <see cref="DefaultTimeout"/> (1 to 300 seconds), for slow links.</summary>
        public const string TimeoutVariable = GrantTimeout.Variable;

        private readonly HttpTransport transport;
        private readonly TimeSpan? timeout;

        /// <param name="transport">The HTTP client.</param>
        /// <param name="timeout">Each call's timeout; null: <see cref="TimeoutVariable"/>, read at each call, else 30 seconds.</param>
        public TokenClient(HttpTransport transport, TimeSpan? timeout = null)
        {
            this.transport = transport ?? throw new ArgumentNullException(nameof(transport));
            this.timeout = timeout;
        }

        /// <summary>
        /// Redeems a code. A code is used up only by a successful exchange, so one that fails on the
        /// way (5xx, a reset, a timeout) is sent once more at once: codes live about 30 seconds.
        /// </summary>
        public async Task<TokenGrant> ExchangeCodeAsync(Uri baseUri, ClientCredentials client, string code, Uri redirectUri, string codeVerifier, object target, CancellationToken cancellationToken)
        {
            var fields = new List<KeyValuePair<string, string>>
            {
                Field("grant_type", "authorization_code"),
                Field("code", code),
                Field("redirect_uri", UriRules.WireText(redirectUri)),
            };
            if (!string.IsNullOrEmpty(codeVerifier))
            {
                fields.Add(Field("code_verifier", codeVerifier));
            }

            try
            {
                return await PostAsync(baseUri, client, fields, target, new[] { code, codeVerifier }, cancellationToken).ConfigureAwait(false);
            }
            catch (TSheetsAuthException ex) when (ex.ErrorId == ErrorIds.ServiceUnavailable && !cancellationToken.IsCancellationRequested)
            {
                return await PostAsync(baseUri, client, fields, target, new[] { code, codeVerifier }, cancellationToken).ConfigureAwait(false);
            }
        }

        public Task<TokenGrant> RefreshAsync(Uri baseUri, ClientCredentials client, SecureString refreshToken, object target, CancellationToken cancellationToken)
        {
            var refresh = SecureStrings.ToPlainText(refreshToken);
            var fields = new List<KeyValuePair<string, string>>
            {
                Field("grant_type", "refresh_token"),
                Field("refresh_token", refresh),
            };
            return PostAsync(baseUri, client, fields, target, new[] { refresh }, cancellationToken);
        }

        private async Task<TokenGrant> PostAsync(Uri baseUri, ClientCredentials client, List<KeyValuePair<string, string>> fields, object target, string[] secrets, CancellationToken cancellationToken)
        {
            var secret = SecureStrings.ToPlainText(client.ClientSecret);
            using (var request = new HttpRequestMessage(HttpMethod.Post, UriRules.Combine(baseUri, "grant")))
            {
                var form = new List<KeyValuePair<string, string>>(fields);
                client.Apply(form, request.Headers, secret);
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(PercentEncoding.EncodeForm(form)));
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                var result = await transport.SendAsync(request, timeout ?? ConfiguredTimeout(), target, cancellationToken).ConfigureAwait(false);
                var known = new List<string>(secrets) { secret };
                return TokenGrant.Parse(result, target, known, client.ClientId);
            }
        }

        private static TimeSpan ConfiguredTimeout() => GrantTimeout.Shared.Current;

        private static KeyValuePair<string, string> Field(string name, string value) => new KeyValuePair<string, string>(name, value);
    }
}
