using System;
using System.Security;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth
{
    /// <summary>Step 2 of the flow, or a start from a refresh token: a grant becomes a connection (not yet stored).</summary>
    internal sealed class SignIn
    {
        private readonly TokenClient client;
        private readonly IClock clock;

        public SignIn(TokenClient client, IClock clock)
        {
            this.client = client;
            this.clock = clock;
        }

        public async Task<Connection> WithCodeAsync(string name, ClientCredentials app, Uri redirectUri, string code, string codeVerifier, Uri baseUri, CancellationToken cancellationToken)
        {
            RequireClientSecret(app, name);
            UriRules.ValidateRedirectUri(redirectUri);
            var grant = await client.ExchangeCodeAsync(baseUri, app, code, redirectUri, codeVerifier, name, cancellationToken).ConfigureAwait(false);
            return Connection.FromGrant(name, grant, app, baseUri, clock.UtcNow);
        }

        public async Task<Connection> WithRefreshTokenAsync(string name, ClientCredentials app, SecureString refreshToken, Uri baseUri, CancellationToken cancellationToken)
        {
            RequireClientSecret(app, name);
            TokenRules.Require(SecureStrings.ToPlainText(refreshToken), "refresh token", name);
            var grant = await client.RefreshAsync(baseUri, app, refreshToken, name, cancellationToken).ConfigureAwait(false);
            return Connection.FromGrant(name, grant, app, baseUri, clock.UtcNow, refreshTokenIfNone: refreshToken);
        }

        private static void RequireClientSecret(ClientCredentials app, string name)
        {
            if (SecureStrings.IsNullOrWhiteSpace(app.ClientSecret))
            {
                throw new TSheetsAuthException(ErrorIds.InvalidClient, "The client secret is empty: nothing was sent to TSheets. Copy it from QuickBooks Time under Feature Add-ons > API.", name);
            }
        }
    }
}
