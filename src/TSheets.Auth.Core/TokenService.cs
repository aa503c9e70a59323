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
        public TokenLookup(Connection connection, bool refreshed = false, string warning = null)
        {
            Connection = connection;
            Refreshed = refreshed;
            Warning = warning;
        }

        public Connection Connection { get; }

        public bool Refreshed { get; }

        /// <summary>Set when a refresh failed but the old token is still valid and is returned.</summary>
        public string Warning { get; }
    }

    /// <summary>
    /// Getting, storing and refreshing connections: what the cmdlets call. A failure never
    /// replaces a stored connection; a refresh stores the rotated pair before anyone sees it.
    /// </summary>
    internal sealed class TokenService
    {
        private readonly SessionStore store;
        private readonly TokenClient client;
        private readonly IClock clock;

        public TokenService(SessionStore store, TokenClient client, IClock clock)
        {
            this.store = store ?? throw new ArgumentNullException(nameof(store));
            this.client = client ?? throw new ArgumentNullException(nameof(client));
            this.clock = clock ?? throw new ArgumentNullException(nameof(clock));
        }

        public static TokenService CreateDefault() =>
            new TokenService(SessionStore.Current, new TokenClient(HttpTransport.Shared), SystemClock.Instance);

        public SessionStore Store => store;

        public async Task<Connection> ConnectWithCodeAsync(string name, string clientId, SecureString clientSecret, Uri redirectUri, string code, Uri baseUri, CancellationToken cancellationToken)
        {
            RequireClientSecret(clientSecret, name);
            var grant = await client.ExchangeCodeAsync(baseUri, clientId, clientSecret, code, redirectUri, name, cancellationToken).ConfigureAwait(false);
            return Save(Connection.FromGrant(name, grant, clientId, clientSecret, baseUri, clock.UtcNow));
        }

        public async Task<Connection> ConnectWithRefreshTokenAsync(string name, string clientId, SecureString clientSecret, SecureString refreshToken, Uri baseUri, CancellationToken cancellationToken)
        {
            RequireClientSecret(clientSecret, name);
            if (SecureStrings.IsNullOrWhiteSpace(refreshToken))
            {
                throw new TSheetsAuthException(ErrorIds.GrantFailed, "The refresh token is empty: nothing was sent to TSheets.", name);
            }

            var grant = await client.RefreshAsync(baseUri, clientId, clientSecret, refreshToken, null, name, cancellationToken).ConfigureAwait(false);
            var connection = Connection.FromGrant(name, grant, clientId, clientSecret, baseUri, clock.UtcNow);
            if (grant.RefreshToken == null)
            {
                // No rotation in the answer: the refresh token given stays the one to use.
                connection = new Connection(name, connection.AccessToken, refreshToken, connection.IssuedOn, connection.ExpiresOn, clientId, clientSecret, baseUri, grant.UserId, grant.CompanyId, grant.ClientUrl);
            }

            return Save(connection);
        }

        public Connection Save(Connection connection)
        {
            store.Set(connection);
            return connection;
        }

        public async Task<TokenLookup> GetAsync(string name, RefreshMode mode, CancellationToken cancellationToken)
        {
            var current = store.Get(name) ?? throw NotFound(name);
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
                var fresh = await store.JoinOrStartRefresh(current.Name, () => StartRefresh(current, mode == RefreshMode.Force))
                    .WaitOrCancel(cancellationToken)
                    .ConfigureAwait(false);
                return new TokenLookup(fresh, refreshed: !ReferenceEquals(fresh, current));
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
        private Task<Connection> StartRefresh(Connection seen, bool forced)
        {
            var latest = store.Get(seen.Name) ?? seen;
            if (!ReferenceEquals(latest, seen) && (forced || !RefreshPolicy.IsDue(latest, clock.UtcNow)))
            {
                // Replaced since this caller looked (another runspace refreshed): that is the answer.
                return Task.FromResult(latest);
            }

            return Task.Run(() => RefreshAndStoreAsync(latest));
        }

        private async Task<Connection> RefreshAndStoreAsync(Connection from)
        {
            // Not the caller's cancellation: once sent, the old refresh token may be spent, so the
            // new pair must be stored even if the user presses Ctrl+C meanwhile.
            var grant = await client.RefreshAsync(from.BaseUri, from.ClientId, from.ClientSecret, from.RefreshToken, from.AccessToken, from.Name, CancellationToken.None)
                .ConfigureAwait(false);
            var fresh = from.WithGrant(grant, clock.UtcNow);
            store.Replace(from, fresh);
            return fresh;
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
