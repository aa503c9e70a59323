#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Runtime.CompilerServices;
using System.Security;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.OAuth;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// One stored connection: an immutable snapshot. A refresh makes a new snapshot (<c>with</c>)
    /// and swaps it in, so readers never see half of a rotated pair. The secrets are read-only
    /// SecureStrings this class owns: callers hand in copies (<see cref="SecureStrings.CopyReadOnly"/>).
    /// Two snapshots are the same only when they are the same object (the store swaps by identity).
    /// </summary>
    internal sealed record Connection
    {
        private readonly string clientId;
        private readonly Uri baseUri;

        public string Name { get; init; }

        public SecureString AccessToken { get; init; }

        public SecureString RefreshToken { get; init; }

        public DateTimeOffset? IssuedOn { get; init; }

        public DateTimeOffset? ExpiresOn { get; init; }

        public string ClientId { get => clientId; init => clientId = string.IsNullOrEmpty(value) ? null : value; }

        public SecureString ClientSecret { get; init; }

        public ClientAuthentication ClientAuthentication { get; init; }

        public Uri BaseUri { get => baseUri ?? UriRules.DefaultBaseUri; init => baseUri = value; }

        public string UserId { get; init; }

        public string CompanyId { get; init; }

        public string ClientUrl { get; init; }

        /// <summary>The vault it is persisted in; null when session-only.</summary>
        public string Vault { get; init; }

        public bool CanRefresh => RefreshToken != null && ClientId != null && ClientSecret != null;

        public ClientCredentials Credentials => new ClientCredentials(ClientId, ClientSecret, ClientAuthentication);

        /// <summary>A new connection from a grant: the grant's secrets are fresh, the caller's are copied.</summary>
        public static Connection FromGrant(string name, TokenGrant grant, ClientCredentials client, Uri baseUri, DateTimeOffset now, SecureString refreshTokenIfNone = null) =>
            new Connection
            {
                Name = name,
                BaseUri = baseUri,
                ClientId = client.ClientId,
                ClientSecret = SecureStrings.CopyReadOnly(client.ClientSecret),
                ClientAuthentication = client.Method,
            }.WithGrant(grant, now, refreshTokenIfNone == null ? null : SecureStrings.CopyReadOnly(refreshTokenIfNone));

        /// <summary>The connection after a grant: the new pair, the old refresh token when the answer had none.</summary>
        public Connection WithGrant(TokenGrant grant, DateTimeOffset now, SecureString refreshTokenIfNone = null) =>
            this with
            {
                AccessToken = grant.AccessToken,
                RefreshToken = grant.RefreshToken ?? refreshTokenIfNone ?? RefreshToken,
                IssuedOn = now,
                ExpiresOn = now + grant.ExpiresIn,
                UserId = grant.UserId ?? UserId,
                CompanyId = grant.CompanyId ?? CompanyId,
                ClientUrl = grant.ClientUrl ?? ClientUrl,
            };

        /// <summary>Same access and refresh token (compared without an early exit).</summary>
        public bool HasSameTokens(Connection other) => ConstantTime.Equals(PairFingerprint, other.PairFingerprint);

        /// <summary>The pair's short one-way name (see <see cref="Fingerprint"/>).</summary>
        public string PairFingerprint => Fingerprint.Of(SecureStrings.ToPlainText(AccessToken), SecureStrings.ToPlainText(RefreshToken) ?? string.Empty);

        /// <summary>What <c>/grant</c> needs to refresh this connection, over <paramref name="network"/>.</summary>
        public GrantRequest RefreshGrant(NetworkSettings network) =>
            new GrantRequest { Name = Name, BaseUri = BaseUri, Client = Credentials, RefreshToken = RefreshToken, Network = network };

        /// <summary>The public token: copies of the secrets, and the clock its TimeLeft reads.</summary>
        public TSheetsToken ToToken(IClock clock) => new TSheetsToken
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
            ClientAuthentication = ClientAuthentication,
            BaseUri = BaseUri,
            Vault = Vault,
            CanRefresh = CanRefresh,
            Clock = clock,
        };

        public bool Equals(Connection other) => ReferenceEquals(this, other);

        public override int GetHashCode() => RuntimeHelpers.GetHashCode(this);

        public override string ToString() => $"TSheets connection '{Name}'";
    }
}
