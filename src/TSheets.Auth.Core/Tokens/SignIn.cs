using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.OAuth;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Tokens
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

        /// <summary>Redeems <see cref="GrantRequest.Code"/>; the redirect URI was validated where it entered.</summary>
        public async Task<Connection> WithCodeAsync(GrantRequest request, CancellationToken cancellationToken)
        {
            RequireClientSecret(request);
            var grant = await client.ExchangeCodeAsync(request, cancellationToken).ConfigureAwait(false);
            return Connection.FromGrant(request.Name, grant, request.Client, request.BaseUri, clock.UtcNow);
        }

        public async Task<Connection> WithRefreshTokenAsync(GrantRequest request, CancellationToken cancellationToken)
        {
            RequireClientSecret(request);
            TokenRules.Require(SecureStrings.ToPlainText(request.RefreshToken), "refresh token", request.Name);
            var grant = await client.RefreshAsync(request, cancellationToken).ConfigureAwait(false);
            return Connection.FromGrant(request.Name, grant, request.Client, request.BaseUri, clock.UtcNow, refreshTokenIfNone: request.RefreshToken);
        }

        private static void RequireClientSecret(GrantRequest request)
        {
            if (SecureStrings.IsNullOrWhiteSpace(request.Client.ClientSecret))
            {
                throw new TSheetsAuthException(ErrorIds.InvalidClient, "The client secret is empty: nothing was sent to TSheets. Copy it from QuickBooks Time under Feature Add-ons > API.", request.Name);
            }
        }
    }
}
