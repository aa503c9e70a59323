using System;

namespace TSheets.Auth
{
    /// <summary>
    /// Step 1 of the flow: the URL a user opens, and what step 2 needs to check and redeem the
    /// answer. <see cref="State"/> and <see cref="CodeVerifier"/> are useless without the code,
    /// and no view shows them.
    /// </summary>
    public sealed class AuthorizationRequest
    {
        internal AuthorizationRequest(Uri url, string state, string? codeVerifier, string[]? scope, string clientId, Uri redirectUri, Uri baseUri)
        {
            Url = url;
            State = state;
            CodeVerifier = codeVerifier;
            Scope = scope;
            ClientId = clientId;
            RedirectUri = redirectUri;
            BaseUri = baseUri;
        }

        public Uri Url { get; }

        public string State { get; }

        /// <summary>The PKCE verifier sent with the code exchange; null with -NoPkce.</summary>
        public string? CodeVerifier { get; }

        /// <summary>The scopes asked for; null when none (TSheets has none).</summary>
        public string[]? Scope { get; }

        public string ClientId { get; }

        public Uri RedirectUri { get; }

        public Uri BaseUri { get; }

        public override string ToString() => Url.AbsoluteUri;
    }
}
