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
    /// <summary>Step 2 of the flow and the refresh: form POSTs to <c>{base}/grant</c>.</summary>
    internal sealed class TokenClient
    {
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

        /// <summary>Environment variable overriding <see cref="DefaultTimeout"/> (1 to 300 seconds), for slow links.</summary>
        public const string TimeoutVariable = "TSHEETS_AUTH_GRANT_TIMEOUT_SEC";

        private readonly HttpTransport transport;
        private readonly TimeSpan timeout;

        public TokenClient(HttpTransport transport, TimeSpan? timeout = null)
        {
            this.transport = transport ?? throw new ArgumentNullException(nameof(transport));
            this.timeout = timeout ?? ConfiguredTimeout();
        }

        public Task<TokenGrant> ExchangeCodeAsync(Uri baseUri, string clientId, SecureString clientSecret, string code, Uri redirectUri, object target, CancellationToken cancellationToken)
        {
            var secret = SecureStrings.ToPlainText(clientSecret);
            var fields = new[]
            {
                Field("grant_type", "authorization_code"),
                Field("client_id", clientId),
                Field("client_secret", secret),
                Field("code", code),
                Field("redirect_uri", UriRules.WireText(redirectUri)),
            };
            return PostAsync(baseUri, fields, null, target, new[] { secret, code }, cancellationToken);
        }

        public Task<TokenGrant> RefreshAsync(Uri baseUri, string clientId, SecureString clientSecret, SecureString refreshToken, SecureString accessToken, object target, CancellationToken cancellationToken)
        {
            var secret = SecureStrings.ToPlainText(clientSecret);
            var refresh = SecureStrings.ToPlainText(refreshToken);
            var bearer = SecureStrings.ToPlainText(accessToken);
            var fields = new[]
            {
                Field("grant_type", "refresh_token"),
                Field("client_id", clientId),
                Field("client_secret", secret),
                Field("refresh_token", refresh),
            };
            // The official example sends the current access token along; TSheets accepts the call either way.
            return PostAsync(baseUri, fields, bearer, target, new[] { secret, refresh, bearer }, cancellationToken);
        }

        private async Task<TokenGrant> PostAsync(Uri baseUri, KeyValuePair<string, string>[] fields, string bearer, object target, string[] secrets, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(PercentEncoding.EncodeForm(fields)));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
            using (var request = new HttpRequestMessage(HttpMethod.Post, UriRules.Combine(baseUri, "grant")) { Content = content })
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                if (!string.IsNullOrEmpty(bearer))
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
                }

                var result = await transport.SendAsync(request, timeout, target, cancellationToken).ConfigureAwait(false);
                return TokenGrant.Parse(result, target, secrets);
            }
        }

        private static TimeSpan ConfiguredTimeout()
        {
            var text = Environment.GetEnvironmentVariable(TimeoutVariable);
            return int.TryParse(text, out var seconds) && seconds >= 1 && seconds <= 300 ? TimeSpan.FromSeconds(seconds) : DefaultTimeout;
        }

        private static KeyValuePair<string, string> Field(string name, string value) => new KeyValuePair<string, string>(name, value);
    }
}
