using System;
using System.Security;

namespace TSheets.Auth
{
    /// <summary>
    /// One stored connection: an immutable snapshot. A refresh makes a new snapshot and swaps
    /// it in, so readers never see half of a rotated pair.
    /// </summary>
    internal sealed class Connection
    {
        public Connection(
            string name,
            SecureString accessToken,
            SecureString refreshToken,
            DateTimeOffset? issuedOn,
            DateTimeOffset? expiresOn,
            string clientId,
            SecureString clientSecret,
            Uri baseUri,
            string userId = null,
            string companyId = null,
            string clientUrl = null,
            string vault = null)
            : this(
                name,
                SecureStrings.CopyReadOnly(accessToken ?? throw new ArgumentNullException(nameof(accessToken))),
                SecureStrings.CopyReadOnly(refreshToken),
                issuedOn,
                expiresOn,
                clientId,
                SecureStrings.CopyReadOnly(clientSecret),
                baseUri,
                userId,
                companyId,
                clientUrl,
                vault,
                owned: true)
        {
        }

        /// <summary>
        /// For snapshots made from secrets this class already owns (read-only copies no caller
        /// holds): sharing them spares a copy per secret on every refresh and save.
        /// </summary>
        private Connection(
            string name,
            SecureString accessToken,
            SecureString refreshToken,
            DateTimeOffset? issuedOn,
            DateTimeOffset? expiresOn,
            string clientId,
            SecureString clientSecret,
            Uri baseUri,
            string userId,
            string companyId,
            string clientUrl,
            string vault,
            bool owned)
        {
            Name = name;
            AccessToken = accessToken;
            RefreshToken = refreshToken;
            IssuedOn = issuedOn;
            ExpiresOn = expiresOn;
            ClientId = string.IsNullOrEmpty(clientId) ? null : clientId;
            ClientSecret = clientSecret;
            BaseUri = baseUri ?? UriRules.DefaultBaseUri;
            UserId = userId;
            CompanyId = companyId;
            ClientUrl = clientUrl;
            Vault = vault;
        }

        public string Name { get; }

        public SecureString AccessToken { get; }

        public SecureString RefreshToken { get; }

        public DateTimeOffset? IssuedOn { get; }

        public DateTimeOffset? ExpiresOn { get; }

        public string ClientId { get; }

        public SecureString ClientSecret { get; }

        public Uri BaseUri { get; }

        public string UserId { get; }

        public string CompanyId { get; }

        public string ClientUrl { get; }

        public string Vault { get; }

        public bool CanRefresh => RefreshToken != null && ClientId != null && ClientSecret != null;

        /// <summary>
        /// A grant's secrets are fresh read-only strings: only the caller's secrets are copied.
        /// <paramref name="refreshTokenIfNone"/> stays in use when the answer carries no refresh token.
        /// </summary>
        public static Connection FromGrant(string name, TokenGrant grant, string clientId, SecureString clientSecret, Uri baseUri, DateTimeOffset now, SecureString refreshTokenIfNone = null) =>
            new Connection(
                name,
                grant.AccessToken,
                grant.RefreshToken ?? SecureStrings.CopyReadOnly(refreshTokenIfNone),
                now,
                now + grant.ExpiresIn,
                clientId,
                SecureStrings.CopyReadOnly(clientSecret),
                baseUri,
                grant.UserId,
                grant.CompanyId,
                grant.ClientUrl,
                null,
                owned: true);

        public static Connection FromToken(TSheetsToken token, string name) =>
            new Connection(name ?? token.Name, token.AccessToken, token.RefreshToken, token.IssuedOn, token.ExpiresOn, token.ClientId, token.Source?.ClientSecret, token.BaseUri, token.UserId, token.CompanyId, token.ClientUrl, token.Vault);

        /// <summary>The connection after a refresh: the new pair, the old refresh token when the answer had none.</summary>
        public Connection WithGrant(TokenGrant grant, DateTimeOffset now) =>
            new Connection(
                Name,
                grant.AccessToken,
                grant.RefreshToken ?? RefreshToken,
                now,
                now + grant.ExpiresIn,
                ClientId,
                ClientSecret,
                BaseUri,
                grant.UserId ?? UserId,
                grant.CompanyId ?? CompanyId,
                grant.ClientUrl ?? ClientUrl,
                Vault,
                owned: true);

        public Connection WithVault(string vault) =>
            new Connection(Name, AccessToken, RefreshToken, IssuedOn, ExpiresOn, ClientId, ClientSecret, BaseUri, UserId, CompanyId, ClientUrl, vault, owned: true);

        /// <summary>Same access and refresh token (compared without an early exit).</summary>
        public bool HasSameTokens(Connection other) =>
            ConstantTime.Equals(SecureStrings.ToPlainText(AccessToken), SecureStrings.ToPlainText(other.AccessToken))
            && ConstantTime.Equals(SecureStrings.ToPlainText(RefreshToken) ?? string.Empty, SecureStrings.ToPlainText(other.RefreshToken) ?? string.Empty);

        public TSheetsToken ToToken() => new TSheetsToken
        {
            Name = Name,
            AccessToken = SecureStrings.CopyReadOnly(AccessToken),
            RefreshToken = SecureStrings.CopyReadOnly(RefreshToken),
            IssuedOn = IssuedOn,
            ExpiresOn = ExpiresOn,
            UserId = UserId,
            CompanyId = CompanyId,
            ClientUrl = ClientUrl,
            ClientId = ClientId,
            BaseUri = BaseUri,
            Vault = Vault,
            Source = this,
        };
    }
}
