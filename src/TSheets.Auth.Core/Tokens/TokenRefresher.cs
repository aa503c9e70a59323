using System;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.OAuth;
using TSheets.Auth.Reporting;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Tokens
{
    /// <summary>
    /// Hands out a connection's token, refreshed first when policy (or the caller) says so. A
    /// refresh is single-flight in the process (every runspace asking at once shares one request)
    /// and, for a vault-held connection, across the processes of the machine (<see cref="VaultRefresh"/>).
    /// The rotated pair is stored before anyone sees it; a failure never replaces the last good pair.
    /// </summary>
    internal sealed class TokenRefresher
    {
        private readonly ConnectionRepository repository;
        private readonly TokenClient client;
        private readonly IClock clock;
        private readonly VaultRefresh vaultRefresh;
        private readonly RecordWatch records;
        private readonly SingleFlight<RefreshOutcome> refreshes = new SingleFlight<RefreshOutcome>();

        /// <summary>Looks at another process's rotation: apart from refreshes, which must never join a mere look.</summary>
        private readonly SingleFlight<RefreshOutcome?> looks = new SingleFlight<RefreshOutcome?>();

        public TokenRefresher(ConnectionRepository repository, TokenClient client)
        {
            this.repository = repository ?? throw new ArgumentNullException(nameof(repository));
            this.client = client ?? throw new ArgumentNullException(nameof(client));
            clock = repository.Clock;
            vaultRefresh = new VaultRefresh(repository, client);
            records = new RecordWatch(repository.Locks);
        }

        public ConnectionRepository Repository => repository;

        /// <summary>The refreshes (and looks at another process's rotation) in flight: one per connection, however many ask.</summary>
        internal SingleFlight<RefreshOutcome> Refreshes => refreshes;

        /// <summary>The connection, refreshed first when <paramref name="mode"/> and the policy say so.</summary>
        public async Task<Connection> GetAsync(CallScope scope, RefreshMode mode)
        {
            var name = scope.Name;
            var report = scope.Report;
            var cancellationToken = scope.Cancellation;
            var current = repository.Find(scope) ?? throw ConnectionRepository.NotFound(name, scope.Vault);
            var now = clock.UtcNow;
            var forced = mode == RefreshMode.Force || mode == RefreshMode.Replace;
            var refresh = forced || (mode == RefreshMode.Auto && RefreshPolicy.IsDue(current, now));
            if (!refresh && records.Changed(current))
            {
                current = await SyncAsync(current, report, cancellationToken).ConfigureAwait(false);
                refresh = mode == RefreshMode.Auto && RefreshPolicy.IsDue(current, now);
            }

            if (!refresh || !current.CanRefresh)
            {
                if (RefreshPolicy.IsExpired(current, now))
                {
                    throw mode == RefreshMode.Never && current.CanRefresh ? RefreshFailure.NotRefreshedAsAsked(current) : RefreshFailure.TokenExpired(current);
                }

                if (refresh)
                {
                    throw RefreshFailure.NotRefreshable(current);
                }

                return current;
            }

            var session = repository.Session;
            try
            {
                var outcome = await refreshes.JoinOrStart(current.Name, () => Start(current, forced, scope))
                    .WaitOrCancel(cancellationToken)
                    .ConfigureAwait(false);
                Report(outcome, report);

                if (!ReferenceEquals(outcome.Connection, current))
                {
                    report.Verbose($"Refreshed the token '{current.Name}'; the new one is valid until {Messages.Time(outcome.Connection.ExpiresOn)}.");
                }

                return outcome.Connection;
            }
            catch (TSheetsAuthException ex) when (ex.ErrorId == ErrorIds.ProxyAuthenticationRequired || ex.ErrorId == ErrorIds.InvalidBaseUri)
            {
                // The way out was refused (a proxy wanting credentials, a proxy a plain-http secret may
                // not cross): nothing was said about the token, which stays as it is. Only different
                // network options help, which this error says; the token's own advice would mislead.
                throw;
            }
            catch (TSheetsAuthException ex)
            {
                var latest = session.Get(name) ?? current;
                if (mode == RefreshMode.Replace)
                {
                    throw RefreshFailure.Refused(latest, ex);
                }

                if (!RefreshPolicy.IsExpired(latest, clock.UtcNow))
                {
                    report.Warning(RefreshFailure.StillValid(latest, ex));
                    return latest;
                }

                throw RefreshFailure.Expired(latest, ex);
            }
        }

        /// <summary>
        /// Another process stored a pair for this vault entry since this one looked: adopt it, in one
        /// look for every runspace.
        /// </summary>
        private async Task<Connection> SyncAsync(Connection current, IReporter report, CancellationToken cancellationToken)
        {
            var outcome = await looks.JoinOrStart(current.Name, () => Task.Run(() => vaultRefresh.SyncAsync(current, report)))
                .WaitOrCancel(cancellationToken)
                .ConfigureAwait(false);
            if (outcome == null)
            {
                records.Forget(current);
                return current;
            }

            Report(outcome, report);
            return outcome.Connection;
        }

        private static void Report(RefreshOutcome outcome, IReporter report)
        {
            foreach (var note in outcome.Notes)
            {
                report.Verbose(note);
            }

            if (outcome.VaultFailure != null)
            {
                report.Error(outcome.VaultFailure);
            }
        }

        /// <summary>Runs under the single-flight lock: refresh, unless another runspace just did.</summary>
        private Task<RefreshOutcome> Start(Connection seen, bool forced, CallScope scope)
        {
            var latest = repository.Session.Get(seen.Name) ?? seen;
            if (!ReferenceEquals(latest, seen) && (forced || !RefreshPolicy.IsDue(latest, clock.UtcNow)))
            {
                return Task.FromResult(new RefreshOutcome(latest));
            }

            // Not the caller's cancellation: once sent, the old refresh token may be spent, so the
            // new pair must be stored even if the user presses Ctrl+C meanwhile.
            return latest.Vault != null
                ? Task.Run(() => vaultRefresh.RunAsync(latest, forced, scope))
                : Task.Run(() => RefreshSessionOnlyAsync(latest, scope.Network));
        }

        private async Task<RefreshOutcome> RefreshSessionOnlyAsync(Connection from, NetworkSettings network)
        {
            var grant = await client.RefreshAsync(from.RefreshGrant(network), CancellationToken.None).ConfigureAwait(false);
            var fresh = from.WithGrant(grant, clock.UtcNow);
            repository.Session.Replace(from, fresh);
            return new RefreshOutcome(fresh);
        }
    }
}
