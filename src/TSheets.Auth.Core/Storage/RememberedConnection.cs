#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using TSheets.Auth.Common;
using TSheets.Auth.Http;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// Where a connection was last saved, and the non-secret facts a status view shows without
    /// opening the vault: never a token, refresh token or client secret (the client ID is public:
    /// every authorization URL carries it).
    /// </summary>
    internal sealed record RememberedConnection
    {
        public string Name { get; init; }

        public string Vault { get; init; }

        public Uri BaseUri { get; init; }

        public string ClientId { get; init; }

        public string UserId { get; init; }

        public string CompanyId { get; init; }

        public string ClientUrl { get; init; }

        /// <summary>When the stored pair was issued (the sign-in, or the last refresh).</summary>
        public DateTimeOffset? IssuedOn { get; init; }

        public DateTimeOffset? ExpiresOn { get; init; }

        public bool HasRefreshToken { get; init; }

        public bool CanRefresh { get; init; }

        /// <summary>When this process (or another of the user's) last saved it.</summary>
        public DateTimeOffset SavedOn { get; init; }

        /// <summary>The command that signs this connection in again, into the same vault.</summary>
        public string SignInCommand => Messages.SignInCommand(Name, Vault, ClientId, BaseUri, UriRules.DefaultBaseUri);

        /// <summary>Its vault no longer holds it: said as such, with the command to sign in again (never "no connection").</summary>
        public TSheetsAuthException NoLongerInVault() =>
            new TSheetsAuthException(
                ErrorIds.TokenNotFound,
                $"The connection '{Name}' was saved in vault '{Vault}' and is no longer there (no secret '{VaultDocument.SecretName(Name)}': it was removed from the vault, or the vault was reset). Sign in again: {SignInCommand}. Or forget it: Disconnect-TSheets -Name '{Messages.Quote(Name)}'.",
                Name);

        public static RememberedConnection Of(Connection connection, DateTimeOffset now) => new RememberedConnection
        {
            Name = connection.Name,
            Vault = connection.Vault,
            BaseUri = connection.BaseUri,
            ClientId = connection.ClientId,
            UserId = connection.UserId,
            CompanyId = connection.CompanyId,
            ClientUrl = connection.ClientUrl,
            IssuedOn = connection.IssuedOn,
            ExpiresOn = connection.ExpiresOn,
            HasRefreshToken = connection.RefreshToken != null,
            CanRefresh = connection.CanRefresh,
            SavedOn = now,
        };
    }
}
