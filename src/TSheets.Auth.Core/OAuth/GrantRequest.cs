using System;
using System.Security;
using TSheets.Auth.Http;

namespace TSheets.Auth.OAuth
{
    /// <summary>
    /// One request to <c>/grant</c>: where, for which app, over which network, and either a code
    /// to redeem (with the redirect URI it was issued for and the PKCE verifier) or a refresh
    /// token. Every value in it was validated where it entered.
    /// </summary>
    internal sealed record GrantRequest
    {
        /// <summary>The connection it is for: the error target, never a secret.</summary>
        public string Name { get; init; } = "default";

        /// <summary>The normalized base URI.</summary>
        public Uri BaseUri { get; init; } = UriRules.DefaultBaseUri;

        public ClientCredentials Client { get; init; } = ClientCredentials.None;

        public NetworkSettings Network { get; init; } = NetworkSettings.Default;

        /// <summary>The authorization code (a code exchange), or null.</summary>
        public string? Code { get; init; }

        /// <summary>The redirect URI the code was issued for, sent as it was typed.</summary>
        public Uri? RedirectUri { get; init; }

        /// <summary>The PKCE verifier of the code's request; null without PKCE.</summary>
        public string? CodeVerifier { get; init; }

        /// <summary>The refresh token (a refresh), or null.</summary>
        public SecureString? RefreshToken { get; init; }
    }
}
