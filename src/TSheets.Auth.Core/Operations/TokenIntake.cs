#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Security;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.OAuth;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Operations
{
    /// <summary>
    /// A token given to Set-TSheetsToken, made a connection: each token checked to be a plain
    /// RFC 6750 token (<c>InvalidToken</c>, nothing stored), and an expired token that cannot be
    /// refreshed refused (<c>TokenExpired</c>): it would only fail every call.
    /// </summary>
    internal static class TokenIntake
    {
        public const string DefaultName = "default";

        public static Connection From(SetTokenOptions options, SessionStore session, Func<string, ClientAuthentication> method, IClock clock) =>
            RefuseExpired(options.InputObject != null ? FromToken(options, session) : FromParts(options, method), clock);

        /// <summary>
        /// A piped token. The public object carries no client secret: the session's connection of
        /// that name supplies it when it holds the same token (the usual Get-TSheetsToken | Set-TSheetsToken).
        /// </summary>
        private static Connection FromToken(SetTokenOptions options, SessionStore session)
        {
            var token = options.InputObject;
            var target = options.Name ?? DefaultName;
            var source = session.Get(token.Name);
            var same = source != null && ConstantTime.Equals(SecureStrings.ToPlainText(source.AccessToken), SecureStrings.ToPlainText(token.AccessToken));
            var connection = same
                ? source
                : new Connection
                {
                    Name = token.Name,
                    AccessToken = Checked(token.AccessToken, "access token", target),
                    RefreshToken = token.RefreshToken == null ? null : Checked(token.RefreshToken, "refresh token", target),
                    IssuedOn = token.IssuedOn,
                    ExpiresOn = token.ExpiresOn,
                    ClientId = token.ClientId,
                    ClientAuthentication = token.ClientAuthentication,
                    BaseUri = UriRules.NormalizeBaseUri(token.BaseUri),
                    UserId = Text.OneLine(token.UserId),
                    CompanyId = Text.OneLine(token.CompanyId),
                    ClientUrl = Text.OneLine(token.ClientUrl),
                };
            return connection with { Name = options.Name ?? token.Name };
        }

        private static Connection FromParts(SetTokenOptions options, Func<string, ClientAuthentication> method)
        {
            var name = options.Name ?? DefaultName;
            return new Connection
            {
                Name = name,
                AccessToken = Checked(options.AccessToken, "access token", name),
                RefreshToken = SecureStrings.IsNullOrWhiteSpace(options.RefreshToken) ? null : Checked(options.RefreshToken, "refresh token", name),
                ExpiresOn = options.ExpiresOn,
                ClientId = options.ClientId,
                ClientSecret = SecureStrings.CopyReadOnly(options.ClientSecret),
                ClientAuthentication = method(options.ClientAuthentication),
                BaseUri = UriRules.NormalizeBaseUri(options.BaseUri),
            };
        }

        private static Connection RefuseExpired(Connection connection, IClock clock)
        {
            if (connection.ExpiresOn <= clock.UtcNow && !connection.CanRefresh)
            {
                var what = connection.RefreshToken == null
                    ? "Extend it in QuickBooks Time (Feature Add-ons > API) and set the new expiry."
                    : Messages.NoClientCredentials;
                throw new TSheetsAuthException(
                    ErrorIds.TokenExpired,
                    $"The token expired on {Messages.Time(connection.ExpiresOn)} and cannot be refreshed, so it was not stored. {what}",
                    connection.Name);
            }

            return connection;
        }

        /// <summary>A read-only copy of a token the user gave, once it is known to be a plain RFC 6750 token.</summary>
        private static SecureString Checked(SecureString token, string what, string target)
        {
            TokenRules.Require(SecureStrings.ToPlainText(token), what, target);
            return SecureStrings.CopyReadOnly(token);
        }
    }
}
