using System;
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
            TokenGrant grant;
            try
            {
                grant = await client.ExchangeCodeAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (TSheetsAuthException ex) when (ex.ErrorId == ErrorIds.InvalidClient)
            {
                // Found only now, after the browser round trip: say that the sign-in itself worked and what to check.
                throw new TSheetsAuthException(
                    ex.ErrorId,
                    $"Access was allowed in the browser, but TSheets refused the app's credentials when the code was exchanged, so nothing was stored: most often a wrong client secret (copy it again from QuickBooks Time, Feature Add-ons > API; a stray space, or another app's secret, fails). {ex.Message}",
                    ex.Target,
                    ex)
                { StatusCode = ex.StatusCode, ServerError = ex.ServerError };
            }
            catch (TSheetsAuthException ex) when (ex.ServerError == "invalid_grant" && ex.Message.IndexOf("expired", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                throw new TSheetsAuthException(
                    ex.ErrorId,
                    $"{ex.Message} Authorization codes live about 30 seconds: run Connect-TSheets again and, if you paste the address, paste it within 30 seconds of allowing access.",
                    ex.Target,
                    ex)
                { StatusCode = ex.StatusCode, ServerError = ex.ServerError };
            }

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
