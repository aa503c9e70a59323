using System;
using System.Security.Cryptography;
using System.Text;

namespace TSheets.Auth
{
    /// <summary>Builds the step-1 URL: pure, no network.</summary>
    public static class AuthorizationUrl
    {
        public static AuthorizationRequest Create(string clientId, Uri redirectUri, string state = null, Uri baseUri = null)
        {
            if (string.IsNullOrWhiteSpace(clientId))
            {
                throw new ArgumentException("A client ID is required.", nameof(clientId));
            }

            var normalizedBase = UriRules.NormalizeBaseUri(baseUri);
            UriRules.ValidateRedirectUri(redirectUri);
            state = string.IsNullOrEmpty(state) ? NewState() : state;

            var query = new StringBuilder()
                .Append("response_type=code")
                .Append("&client_id=").Append(PercentEncoding.Encode(clientId))
                .Append("&redirect_uri=").Append(PercentEncoding.Encode(UriRules.WireText(redirectUri)))
                .Append("&state=").Append(PercentEncoding.Encode(state));
            var url = new Uri(UriRules.Combine(normalizedBase, "authorize").AbsoluteUri + "?" + query, UriKind.Absolute);
            return new AuthorizationRequest(url, state, clientId, redirectUri, normalizedBase);
        }

        /// <summary>32 bytes from a cryptographic RNG, base64url without padding (43 characters).</summary>
        public static string NewState()
        {
            var bytes = new byte[32];
            using (var rng = RandomNumberGenerator.Create())
            {
                rng.GetBytes(bytes);
            }

            return Base64Url(bytes);
        }

        internal static string Base64Url(byte[] bytes) =>
            Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
