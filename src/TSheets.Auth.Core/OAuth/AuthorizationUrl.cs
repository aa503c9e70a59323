using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using TSheets.Auth.Common;
using TSheets.Auth.Http;

namespace TSheets.Auth.OAuth
{
    /// <summary>Builds the step-1 URL: pure, no network.</summary>
    internal static class AuthorizationUrl
    {
        /// <summary>
        /// The request for an already validated redirect URI and normalized base URI (null: the
        /// default): both were checked where they entered, once.
        /// </summary>
        public static AuthorizationRequest Create(string clientId, Uri redirectUri, string? state = null, Uri? baseUri = null, IEnumerable<string>? scope = null, bool pkce = true)
        {
            if (string.IsNullOrWhiteSpace(clientId))
            {
                throw new ArgumentException("A client ID is required.", nameof(clientId));
            }

            var normalizedBase = baseUri ?? UriRules.DefaultBaseUri;
            var sent = string.IsNullOrEmpty(state) ? NewState() : state!;
            var scopes = scope?.Where(s => !string.IsNullOrWhiteSpace(s)).Distinct(StringComparer.Ordinal).ToArray();
            if (scopes != null && scopes.Length == 0)
            {
                scopes = null;
            }

            var verifier = pkce ? Pkce.NewVerifier() : null;
            var query = new StringBuilder()
                .Append("response_type=code")
                .Append("&client_id=").Append(PercentEncoding.Encode(clientId))
                .Append("&redirect_uri=").Append(PercentEncoding.Encode(UriRules.WireText(redirectUri)))
                .Append("&state=").Append(PercentEncoding.Encode(sent));
            if (scopes != null)
            {
                query.Append("&scope=").Append(PercentEncoding.Encode(string.Join(" ", scopes)));
            }

            if (verifier != null)
            {
                query.Append("&code_challenge=").Append(Pkce.Challenge(verifier)).Append("&code_challenge_method=").Append(Pkce.Method);
            }

            var url = new Uri(UriRules.Combine(normalizedBase, "authorize").AbsoluteUri + "?" + query, UriKind.Absolute);
            return new AuthorizationRequest(url, sent, verifier, scopes, clientId, redirectUri, normalizedBase);
        }

        /// <summary>32 bytes from a cryptographic RNG, base64url without padding (43 characters).</summary>
        public static string NewState() => Pkce.RandomText(32);
    }
}
