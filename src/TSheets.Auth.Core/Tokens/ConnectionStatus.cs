using System;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Tokens
{
    /// <summary>
    /// A connection's status for Get-TSheetsConnection, from what is stored (never a request to
    /// TSheets, never a refresh): whether it can refresh and why not, and the one problem that
    /// matters most with the command that fixes it.
    /// </summary>
    internal static class ConnectionStatus
    {
        /// <summary>A refresh token this old is told to be used soon: a refresh restarts its two weeks.</summary>
        internal static readonly TimeSpan RefreshTokenWarning = TimeSpan.FromDays(10);

        /// <summary>A token that cannot be refreshed is told about this long before it expires.</summary>
        internal static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(7);

        public static TSheetsConnection Of(Connection connection, ConnectionSource source, bool inSession, IClock clock)
        {
            var now = clock.UtcNow;
            var why = CannotRefreshBecause(connection, source);
            var (problem, advice) = Diagnose(connection, source, why, now);
            return new TSheetsConnection
            {
                Name = connection.Name,
                Source = source,
                Vault = connection.Vault,
                InSession = inSession,
                UserId = connection.UserId,
                CompanyId = connection.CompanyId,
                ClientUrl = connection.ClientUrl,
                ClientId = connection.ClientId,
                BaseUri = connection.BaseUri,
                ExpiresOn = connection.ExpiresOn,
                CanRefresh = connection.CanRefresh,
                CannotRefreshBecause = why,
                LastRefreshed = connection.IssuedOn,
                Problem = problem,
                Advice = advice,
                Clock = clock,
            };
        }

        /// <summary>A connection remembered in a vault that could not be read, or (<paramref name="failure"/> null) no longer holds it: its remembered facts, and what is wrong.</summary>
        public static TSheetsConnection Remembered(RememberedConnection remembered, TSheetsAuthException? failure, IClock clock)
        {
            var problem = failure == null
                ? $"It was saved in vault '{remembered.Vault}', which no longer holds it (no secret '{VaultDocument.SecretName(remembered.Name)}')."
                : $"It was saved in vault '{remembered.Vault}', which could not be read: {failure.Message}";
            var forget = $"Disconnect-TSheets -Name '{Messages.Quote(remembered.Name)}'";
            var advice = failure == null
                ? $"Sign in again: {remembered.SignInCommand}. Or forget it: {forget}"
                : failure.ErrorId == ErrorIds.VaultNotFound
                    ? $"Register the vault '{remembered.Vault}' again (Register-SecretVault), or forget the connection: {forget}"
                    : "Fix or unlock the vault (a SecretStore with a password: Unlock-SecretStore), then run Get-TSheetsConnection again.";
            return new TSheetsConnection
            {
                Name = remembered.Name,
                Source = ConnectionSource.Vault,
                Vault = remembered.Vault,
                UserId = remembered.UserId,
                CompanyId = remembered.CompanyId,
                ClientUrl = remembered.ClientUrl,
                ClientId = remembered.ClientId,
                BaseUri = remembered.BaseUri,
                ExpiresOn = remembered.ExpiresOn,
                CanRefresh = false,
                CannotRefreshBecause = failure == null ? "its vault no longer holds it" : "its vault cannot be read",
                LastRefreshed = remembered.IssuedOn,
                Problem = problem,
                Advice = advice,
                Clock = clock,
            };
        }

        /// <summary>A connection that cannot even be read as one (a CI token that is not a plain token, say).</summary>
        public static TSheetsConnection Unusable(string name, ConnectionSource source, string problem, string advice, IClock clock) =>
            new TSheetsConnection { Name = name, Source = source, CannotRefreshBecause = "it cannot be read", Problem = problem, Advice = advice, Clock = clock };

        private static string? CannotRefreshBecause(Connection connection, ConnectionSource source) =>
            connection.CanRefresh ? null
            : source == ConnectionSource.Environment ? "it is the CI token from $env:" + EnvironmentToken.TokenVariable + ", which is never refreshed"
            : connection.RefreshToken == null ? "it has no refresh token (a token made in the QuickBooks Time web UI)"
            : "the app's client ID and secret are not stored with it";

        private static (string? Problem, string? Advice) Diagnose(Connection connection, ConnectionSource source, string? cannotRefresh, DateTimeOffset now)
        {
            var name = Messages.Quote(connection.Name);
            var signIn = Messages.SignInCommand(connection.Name, connection.Vault, connection.ClientId, connection.BaseUri, UriRules.DefaultBaseUri);
            var left = connection.ExpiresOn - now;
            if (!connection.CanRefresh)
            {
                var fix = source == ConnectionSource.Environment ? $"Put a new token in $env:{EnvironmentToken.TokenVariable}."
                    : connection.RefreshToken == null ? $"Extend it in QuickBooks Time (Feature Add-ons > API), then store the new expiry: Set-TSheetsToken -Name '{name}' -AccessToken (Read-Host -AsSecureString 'Token') -ExpiresOn <the new expiry>."
                    : $"Sign in again: {signIn}. Or give the app's credentials to Set-TSheetsToken -Name '{name}' with -ClientId, -ClientSecret and -RefreshToken.";
                if (left <= TimeSpan.Zero)
                {
                    return ($"The token expired on {Messages.Time(connection.ExpiresOn)} and cannot be refreshed: {cannotRefresh}.", fix);
                }

                if (left < ExpiryWarning)
                {
                    return ($"The token expires in {Days(left.Value)} ({Messages.Time(connection.ExpiresOn)}) and cannot be refreshed: {cannotRefresh}.", fix);
                }

                return (null, null);
            }

            var age = connection.IssuedOn.HasValue ? now - connection.IssuedOn.Value : (TimeSpan?)null;
            if (age >= TSheetsConnection.RefreshTokenLifetime)
            {
                return ($"The refresh token is {Days(age.Value)} old: TSheets drops a refresh token unused for about two weeks, so it is most likely dead.", $"Sign in again: {signIn}.");
            }

            if (age >= RefreshTokenWarning)
            {
                var remaining = TSheetsConnection.RefreshTokenLifetime - age.Value;
                return ($"The refresh token is {Days(age.Value)} old and dies in about {Days(remaining)} unless it is used.", $"Refresh it now (that restarts its two weeks): Get-TSheetsToken -Name '{name}' -ForceRefresh");
            }

            return (null, null);
        }

        private static string Days(TimeSpan span)
        {
            var days = (int)Math.Floor(span.TotalDays);
            var hours = (int)Math.Floor(span.TotalHours);
            return days > 1 ? $"{days} days" : days == 1 ? "1 day" : hours > 1 ? $"{hours} hours" : hours == 1 ? "1 hour" : "under an hour";
        }
    }
}
