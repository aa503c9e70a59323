using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Tokens
{
    /// <summary>What a failed refresh means for the user: permanent (sign in again) or transient (try again), and what to do.</summary>
    internal static class RefreshFailure
    {
        /// <summary>The cause's message and, unless it already says what to do, the advice for a refresh that failed with it.</summary>
        private static string Explain(TSheetsAuthException cause, Connection connection)
        {
            var advice = Advice(cause, connection);
            return advice == null ? cause.Message : cause.Message + " " + advice;
        }

        /// <summary>"Sign in again: " and the whole command, with the connection's name, vault and client ID filled in.</summary>
        private static string SignInAgain(Connection connection) => $"Sign in again: {SignInCommand(connection)}";

        private static string? Advice(TSheetsAuthException cause, Connection connection)
        {
            if (cause.ErrorId == ErrorIds.RefreshFailed)
            {
                // Already a refresh failure with its own advice (a pair lost from the vault, say).
                return null;
            }

            if (cause.ErrorId == ErrorIds.InvalidClient)
            {
                // The token endpoint's message names the ID, the secret and -ClientAuthentication.
                return SignInAgain(connection);
            }

            if (cause.ServerError == "invalid_grant" && (cause.Message.IndexOf("expired", System.StringComparison.OrdinalIgnoreCase) >= 0))
            {
                return "Refresh tokens expire when unused for about two weeks (a job that runs at least weekly keeps them alive). " + SignInAgain(connection);
            }

            if (cause.Transient)
            {
                return Says(cause, "try again") ? null : "This is likely passing: try again when TSheets can be reached.";
            }

            if (cause.ErrorId == ErrorIds.VaultError || cause.ErrorId == ErrorIds.VaultNotFound || cause.ErrorId == ErrorIds.SecretManagementNotInstalled)
            {
                return "Fix the vault, then try again.";
            }

            if (cause.ErrorId == ErrorIds.InvalidServerResponse)
            {
                return Says(cause, "proxy") ? null : "Something other than TSheets answered (a proxy or captive portal?): try again on another network.";
            }

            // invalid_grant, invalid_request, unauthorized_client, 400/401/403/404: the refresh token is not coming back.
            return "The refresh token was refused for good: nothing to retry or wait for. " + SignInAgain(connection);
        }

        private static bool Says(TSheetsAuthException cause, string words) =>
            cause.Message.IndexOf(words, System.StringComparison.OrdinalIgnoreCase) >= 0;

        public static TSheetsAuthException Expired(Connection latest, TSheetsAuthException cause) =>
            new TSheetsAuthException(
                ErrorIds.RefreshFailed,
                $"The token '{latest.Name}' expired on {Messages.Time(latest.ExpiresOn)} and could not be refreshed: {Explain(cause, latest)}",
                latest.Name,
                cause)
            { StatusCode = cause.StatusCode, ServerError = cause.ServerError };

        /// <summary>TSheets refused the token (a 401), and the refresh meant to replace it failed.</summary>
        public static TSheetsAuthException Refused(Connection latest, TSheetsAuthException cause) =>
            new TSheetsAuthException(
                ErrorIds.RefreshFailed,
                $"TSheets refused the token '{latest.Name}' (HTTP 401), and it could not be refreshed: {Explain(cause, latest)}",
                latest.Name,
                cause)
            { StatusCode = cause.StatusCode, ServerError = cause.ServerError };

        public static string StillValid(Connection latest, TSheetsAuthException cause) =>
            $"The token '{latest.Name}' could not be refreshed, so the current one, valid until {Messages.Time(latest.ExpiresOn)}, is used: {Explain(cause, latest)}";

        public static TSheetsAuthException NotRefreshable(Connection connection) =>
            new TSheetsAuthException(
                ErrorIds.RefreshFailed,
                $"The token '{connection.Name}' cannot be refreshed: " + (connection.RefreshToken == null
                    ? "it has no refresh token (tokens made in the QuickBooks Time web UI never do; extend those there)."
                    : "the app's client ID and client secret are not stored with it; give them to Set-TSheetsToken or sign in with Connect-TSheets."),
                connection.Name);

        /// <summary>The command that signs the connection in again, with what the connection knows filled in.</summary>
        public static string SignInCommand(Connection connection) =>
            Messages.SignInCommand(connection.Name, connection.Vault, connection.ClientId, connection.BaseUri, UriRules.DefaultBaseUri);

        /// <summary>The newest pair stored on this machine is not in the vault, and TSheets refused the older one there.</summary>
        public static TSheetsAuthException LostPair(Connection from, TSheetsAuthException refusal) =>
            new TSheetsAuthException(
                ErrorIds.RefreshFailed,
                $"Vault '{from.Vault}' holds an older pair for '{from.Name}' than the newest one stored on this machine, and TSheets refused its refresh token: the newest pair's write to the vault failed, or a process with a stale copy of the store (a Set-Secret or Remove-Secret in another PowerShell window, say) wrote the older one back over it. If a session still holds the newest pair, run Get-TSheetsToken -Name '{Messages.Quote(from.Name)}' -ForceRefresh there: it writes its pair back. Otherwise sign in again: {SignInCommand(from)}",
                from.Name,
                refusal)
            { StatusCode = refusal.StatusCode, ServerError = refusal.ServerError };

        /// <summary>An expired token that could refresh, asked for with -NoRefresh.</summary>
        public static TSheetsAuthException NotRefreshedAsAsked(Connection connection) =>
            new TSheetsAuthException(
                ErrorIds.TokenExpired,
                $"The token '{connection.Name}' expired on {Messages.Time(connection.ExpiresOn)}; it can be refreshed, but -NoRefresh was given. Run Get-TSheetsToken -Name '{Messages.Quote(connection.Name)}' without -NoRefresh to refresh it.",
                connection.Name);

        public static TSheetsAuthException TokenExpired(Connection connection) =>
            new TSheetsAuthException(
                ErrorIds.TokenExpired,
                $"The token '{connection.Name}' expired on {Messages.Time(connection.ExpiresOn)}. {(connection.RefreshToken == null ? Messages.WebUiTokenExpired : Messages.NoClientCredentials)}",
                connection.Name);
    }
}
