using System;
using System.Globalization;
using System.Security;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth
{
    /// <summary>When <see cref="TokenService.GetAsync"/> may refresh.</summary>
    public enum RefreshMode
    {
        /// <summary>By policy: past half the lifetime or under five minutes left.</summary>
        Auto,

        /// <summary>Now (<c>-ForceRefresh</c>).</summary>
        Force,

        /// <summary>Never (<c>-NoRefresh</c>).</summary>
        Never,
    }

    /// <summary>A token handed out, with what the user should be told about it.</summary>
    internal sealed class TokenLookup
    {
        public TokenLookup(Connection connection, bool refreshed = false, string warning = null, TSheetsAuthException vaultFailure = null)
        {
            Connection = connection;
            Refreshed = refreshed;
            Warning = warning;
            VaultFailure = vaultFailure;
        }

        public Connection Connection { get; }

        public bool Refreshed { get; }

        /// <summary>Set when a refresh failed but the old token is still valid and is returned.</summary>
        public string Warning { get; }

        /// <summary>Set when the refreshed pair is in the session but could not be written to its vault.</summary>
        public TSheetsAuthException VaultFailure { get; }
    }

    /// <summary>What one refresh produced: the new connection, and a vault write that failed, if one did.</summary>
    internal sealed class RefreshResult
    {
        public RefreshResult(Connection connection, TSheetsAuthException vaultFailure = null)
        {
            Connection = connection;
            VaultFailure = vaultFailure;
        }

        public Connection Connection { get; }

        public TSheetsAuthException VaultFailure { get; }
    }

    /// <summary>
    /// Getting, storing and refreshing connections: what the cmdlets call. A failure never
    /// replaces a stored connection; a refresh stores the rotated pair before anyone sees it.
    /// </summary>
    internal sealed class TokenService
    {
        /// <summary>How long a process waits for another one refreshing the same vault entry.</summary>
        internal static readonly TimeSpan VaultLockTimeout = TimeSpan.FromSeconds(60);

        private readonly SessionStore store;
        private readonly TokenClient client;
        private readonly IClock clock;
        private readonly IVaultStore vaults;

        public TokenService(SessionStore store, TokenClient client, IClock clock, IVaultStore vaults = null)
        {
            this.store = store ?? throw new ArgumentNullException(nameof(store));
            this.client = client ?? throw new ArgumentNullException(nameof(client));
            this.clock = clock ?? throw new ArgumentNullException(nameof(clock));
            this.vaults = vaults;
        }

        public static TokenService CreateDefault(IVaultStore vaults = null) =>
            new TokenService(SessionStore.Current, new TokenClient(HttpTransport.Shared), SystemClock.Instance, vaults);

        public SessionStore Store => store;

        public async Task<Connection> ConnectWithCodeAsync(string name, string clientId, SecureString clientSecret, Uri redirectUri, string code, Uri baseUri, CancellationToken cancellationToken)
        {
            RequireClientSecret(clientSecret, name);
            var grant = await client.ExchangeCodeAsync(baseUri, clientId, clientSecret, code, redirectUri, name, cancellationToken).ConfigureAwait(false);
            return Connection.FromGrant(name, grant, clientId, clientSecret, baseUri, clock.UtcNow);
        }

        public async Task<Connection> ConnectWithRefreshTokenAsync(string name, string clientId, SecureString clientSecret, SecureString refreshToken, Uri baseUri, CancellationToken cancellationToken)
        {
            RequireClientSecret(clientSecret, name);
            if (SecureStrings.IsNullOrWhiteSpace(refreshToken))
            {
                throw new TSheetsAuthException(ErrorIds.GrantFailed, "The refresh token is empty: nothing was sent to TSheets.", name);
            }

            var grant = await client.RefreshAsync(baseUri, clientId, clientSecret, refreshToken, null, name, cancellationToken).ConfigureAwait(false);
            return Connection.FromGrant(name, grant, clientId, clientSecret, baseUri, clock.UtcNow, refreshTokenIfNone: refreshToken);
        }

        /// <summary>
        /// Stores a connection in the session and, with <paramref name="vault"/>, in the vault, and
        /// returns what was stored. The session always keeps it, even when the vault fails (then a
        /// VaultError says so). <paramref name="warning"/> is set when a corrupt secret was replaced.
        /// </summary>
        public Connection Save(Connection connection, string vault, out string warning)
        {
            connection = connection.WithVault(vault);
            store.Set(connection);
            warning = null;
            if (vault == null)
            {
                return connection;
            }

            try
            {
                var secretName = VaultDocument.SecretName(connection.Name);
                var existing = Vaults.Read(vault, secretName);
                if (existing != null)
                {
                    try
                    {
                        VaultDocument.Parse(existing, connection.Name, vault);
                    }
                    catch (TSheetsAuthException) when (!VaultDocument.IsFromNewerModule(existing))
                    {
                        warning = $"Replaced the secret '{secretName}' in vault '{vault}', which was not a readable TSheets.Auth connection.";
                    }
                }

                Vaults.Write(vault, secretName, VaultDocument.Serialize(connection));
            }
            catch (TSheetsAuthException ex)
            {
                throw KeptInSession(connection, vault, ex);
            }

            return connection;
        }

        /// <summary>Reads a connection from a vault into the session, without a request to TSheets.</summary>
        public Connection LoadFromVault(string name, string vault)
        {
            var secret = Vaults.Read(vault, VaultDocument.SecretName(name))
                ?? throw new TSheetsAuthException(
                    ErrorIds.TokenNotFound,
                    $"There is no TSheets connection named '{name}' in vault '{vault}' (no secret '{VaultDocument.SecretName(name)}'). Sign in with Connect-TSheets -Vault '{vault}', or store a token with Set-TSheetsToken -Vault '{vault}'.",
                    name);
            var connection = VaultDocument.Parse(secret, name, vault);
            store.Set(connection);
            return connection;
        }

        private IVaultStore Vaults => vaults ?? throw new InvalidOperationException("No vault store was given to this TokenService.");

        private static TSheetsAuthException KeptInSession(Connection connection, string vault, TSheetsAuthException cause) =>
            new TSheetsAuthException(
                cause.ErrorId,
                $"The token '{connection.Name}' is in this session but was not saved in vault '{vault}': {cause.Message}",
                connection.Name,
                cause);

        /// <summary>
        /// The session's connection (else the vault's, which then fills the session), refreshed
        /// first when <paramref name="mode"/> and the policy say so.
        /// </summary>
        public async Task<TokenLookup> GetAsync(string name, RefreshMode mode, CancellationToken cancellationToken, string vault = null)
        {
            var current = store.Get(name) ?? (vault == null ? throw NotFound(name) : LoadFromVault(name, vault));
            var now = clock.UtcNow;
            var refresh = mode == RefreshMode.Force || (mode == RefreshMode.Auto && RefreshPolicy.IsDue(current, now));
            if (!refresh || !current.CanRefresh)
            {
                if (RefreshPolicy.IsExpired(current, now))
                {
                    throw Expired(current);
                }

                if (refresh)
                {
                    throw new TSheetsAuthException(
                        ErrorIds.RefreshFailed,
                        $"The token '{current.Name}' cannot be refreshed: {WhyNotRefreshable(current)}",
                        current.Name);
                }

                return new TokenLookup(current);
            }

            try
            {
                var result = await store.JoinOrStartRefresh(current.Name, () => StartRefresh(current, mode == RefreshMode.Force))
                    .WaitOrCancel(cancellationToken)
                    .ConfigureAwait(false);
                return new TokenLookup(result.Connection, !ReferenceEquals(result.Connection, current), vaultFailure: result.VaultFailure);
            }
            catch (TSheetsAuthException ex)
            {
                var latest = store.Get(name) ?? current;
                if (!RefreshPolicy.IsExpired(latest, clock.UtcNow))
                {
                    return new TokenLookup(
                        latest,
                        warning: $"The token '{latest.Name}' could not be refreshed, so the current one, valid until {Format(latest.ExpiresOn)}, is used: {ex.Message}");
                }

                var advice = ex.ServerError == "invalid_grant" || ex.ErrorId == ErrorIds.InvalidClient
                    ? " Sign in again with Connect-TSheets."
                    : " Try again when TSheets can be reached.";
                throw new TSheetsAuthException(
                    ErrorIds.RefreshFailed,
                    $"The token '{latest.Name}' expired on {Format(latest.ExpiresOn)} and could not be refreshed: {ex.Message}{advice}",
                    latest.Name,
                    ex)
                { StatusCode = ex.StatusCode, ServerError = ex.ServerError };
            }
        }

        /// <summary>Runs under the store's refresh lock: refresh, unless someone already did.</summary>
        private Task<RefreshResult> StartRefresh(Connection seen, bool forced)
        {
            var latest = store.Get(seen.Name) ?? seen;
            if (!ReferenceEquals(latest, seen) && (forced || !RefreshPolicy.IsDue(latest, clock.UtcNow)))
            {
                // Replaced since this caller looked (another runspace refreshed): that is the answer.
                return Task.FromResult(new RefreshResult(latest));
            }

            if (latest.Vault != null && vaults != null)
            {
                // Its own thread: the cross-process lock is held across the whole refresh.
                return Task.Factory.StartNew(() => RefreshVaultHeld(latest, forced), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }

            return Task.Run(() => RefreshSessionOnlyAsync(latest));
        }

        private async Task<RefreshResult> RefreshSessionOnlyAsync(Connection from)
        {
            // Not the caller's cancellation: once sent, the old refresh token may be spent, so the
            // new pair must be stored even if the user presses Ctrl+C meanwhile.
            var grant = await client.RefreshAsync(from.BaseUri, from.ClientId, from.ClientSecret, from.RefreshToken, from.AccessToken, from.Name, CancellationToken.None)
                .ConfigureAwait(false);
            var fresh = from.WithGrant(grant, clock.UtcNow);
            store.Replace(from, fresh);
            return new RefreshResult(fresh);
        }

        /// <summary>
        /// A vault-held connection: under a system-wide lock, re-read the vault and refresh only if
        /// no other process just did; store the rotated pair in the session, then the vault. Across
        /// machines no lock helps: an <c>invalid_grant</c> sends us back to the vault, and a newer
        /// pair found there is adopted instead of failing.
        /// </summary>
        private RefreshResult RefreshVaultHeld(Connection from, bool forced)
        {
            var secretName = VaultDocument.SecretName(from.Name);
            using (CrossProcessLock.TryAcquire(from.Vault, from.Name, VaultLockTimeout))
            {
                var stored = TryReadVault(from);
                if (stored != null && !stored.HasSameTokens(from) && (forced || !RefreshPolicy.IsDue(stored, clock.UtcNow)))
                {
                    return new RefreshResult(Adopt(from, stored));
                }

                var basis = stored != null && !stored.HasSameTokens(from) ? stored : from;
                TokenGrant grant;
                try
                {
                    grant = client.RefreshAsync(basis.BaseUri, basis.ClientId, basis.ClientSecret, basis.RefreshToken, basis.AccessToken, basis.Name, CancellationToken.None)
                        .GetAwaiter().GetResult();
                }
                catch (TSheetsAuthException ex) when (ex.ServerError == "invalid_grant")
                {
                    var newer = TryReadVault(from);
                    if (newer != null && !newer.HasSameTokens(basis))
                    {
                        return new RefreshResult(Adopt(from, newer));
                    }

                    throw;
                }

                var fresh = basis.WithGrant(grant, clock.UtcNow);
                store.Replace(from, fresh);
                try
                {
                    Vaults.Write(from.Vault, secretName, VaultDocument.Serialize(fresh));
                    return new RefreshResult(fresh);
                }
                catch (TSheetsAuthException ex)
                {
                    return new RefreshResult(fresh, KeptInSession(fresh, from.Vault, ex));
                }
            }
        }

        private Connection TryReadVault(Connection connection)
        {
            try
            {
                var secret = Vaults.Read(connection.Vault, VaultDocument.SecretName(connection.Name));
                return secret == null ? null : VaultDocument.Parse(secret, connection.Name, connection.Vault);
            }
            catch (TSheetsAuthException)
            {
                // A vault that cannot be read now does not stop the refresh; the write reports it.
                return null;
            }
        }

        private Connection Adopt(Connection from, Connection stored)
        {
            store.Replace(from, stored);
            return stored;
        }

        private static void RequireClientSecret(SecureString clientSecret, string name)
        {
            if (SecureStrings.IsNullOrWhiteSpace(clientSecret))
            {
                throw new TSheetsAuthException(ErrorIds.InvalidClient, "The client secret is empty: nothing was sent to TSheets. Copy it from QuickBooks Time under Feature Add-ons > API.", name);
            }
        }

        internal static TSheetsAuthException NotFound(string name) =>
            new TSheetsAuthException(
                ErrorIds.TokenNotFound,
                $"There is no TSheets connection named '{name}' in this session. Sign in with Connect-TSheets, or store a token with Set-TSheetsToken.",
                name);

        private static TSheetsAuthException Expired(Connection connection)
        {
            var what = connection.RefreshToken == null
                ? "It has no refresh token (a token made in the QuickBooks Time web UI): extend it there under Feature Add-ons > API, or sign in with Connect-TSheets."
                : "It cannot be refreshed without the app's client ID and secret: sign in again with Connect-TSheets, or give them to Set-TSheetsToken with -RefreshToken.";
            return new TSheetsAuthException(
                ErrorIds.TokenExpired,
                $"The token '{connection.Name}' expired on {Format(connection.ExpiresOn)}. {what}",
                connection.Name);
        }

        private static string WhyNotRefreshable(Connection connection) =>
            connection.RefreshToken == null
                ? "it has no refresh token (tokens made in the QuickBooks Time web UI never do; extend those there)."
                : "the app's client ID and client secret are not stored with it; give them to Set-TSheetsToken or sign in with Connect-TSheets.";

        internal static string Format(DateTimeOffset? time) =>
            time.HasValue ? time.Value.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture) : "an unknown time";
    }
}
