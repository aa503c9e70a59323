using System;
using System.Collections.Generic;
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
    /// The refresh of a vault-held connection, correct whatever the vault caches and whatever the
    /// machines' clocks say. Which pair is newest is decided by lineage, never by issue times: under
    /// the entry's lock, the record names the pair stored last on this machine. A record naming
    /// another pair than ours means another process rotated it: that pair is read past any
    /// per-process cache and adopted. A record naming ours while the vault holds another means a
    /// stale copy of the store put an older pair back: ours is written back. A newest pair that is
    /// nowhere to be read is said plainly when the server refuses the older one. Across machines no
    /// lock helps: an <c>invalid_grant</c> sends us back to the vault for the winner's pair. A
    /// rotated pair that cannot be written is retried, then reported.
    /// </summary>
    internal sealed class VaultRefresh
    {
        /// <summary>
        /// How long a refused refresh waits for another machine's pair to appear in a vault shared
        /// across machines (the winner writes it a moment after the server answered us). Not at all
        /// for a vault on this machine, where the lock and the record already said all there is.
        /// </summary>
        private static readonly TimeSpan LostRacePatience = TimeSpan.FromSeconds(2);

        /// <summary>How long a look at the record, when no refresh is due, waits for a process refreshing this entry now.</summary>
        private static readonly TimeSpan SyncLockTimeout = TimeSpan.FromSeconds(1);

        /// <summary>A pair another process stored this recently is what a -ForceRefresh asked for.</summary>
        private static readonly TimeSpan JustRefreshed = TimeSpan.FromMinutes(1);

        private readonly ConnectionRepository repository;
        private readonly TokenClient client;
        private readonly IClock clock;
        private readonly StoredPairs reads;

        public VaultRefresh(ConnectionRepository repository, TokenClient client)
        {
            this.repository = repository;
            this.client = client;
            clock = repository.Clock;
            reads = new StoredPairs(repository);
        }

        /// <summary>Refreshes <paramref name="from"/>, or adopts the newer pair another process stored when that suffices.</summary>
        /// <param name="from">The connection to refresh.</param>
        /// <param name="forced">-ForceRefresh or a 401: a pair another process stored a minute ago is what was asked for.</param>
        /// <param name="scope">The call that asked: its network settings carry the refresh, its reporter hears about the lock.</param>
        public async Task<RefreshOutcome> RunAsync(Connection from, bool forced, CallScope scope)
        {
            var report = scope.Report;
            var notes = new List<string>();
            using (var held = await VaultLock.AcquireAsync(repository.Locks, from.Vault, from.Name, ConnectionRepository.LockTimeout, clock, CancellationToken.None, report).ConfigureAwait(false))
            {
                var record = held?.ReadRecord();
                var lineage = await LearnAsync(from, record, notes).ConfigureAwait(false);
                if (!ReferenceEquals(lineage.Connection, from) && Suffices(lineage.Connection, forced))
                {
                    return new RefreshOutcome(lineage.Connection, lineage.WriteBackFailure, notes);
                }

                var run = new Run
                {
                    Held = held,
                    Record = record,
                    Lost = lineage.LostFingerprint,
                    Forced = forced,
                    Notes = notes,
                    WriteBackFailure = lineage.WriteBackFailure,
                    Network = scope.Network,
                    Report = report,
                };
                return await RefreshHeldAsync(lineage.Connection, run).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Adopts, without a refresh, a pair another process of this machine stored since this one
        /// last looked (the record names another pair than ours); <paramref name="from"/> otherwise,
        /// and null when the lock was not to be had at once (someone is refreshing it: look again later).
        /// </summary>
        public async Task<RefreshOutcome?> SyncAsync(Connection from, IReporter? report = null)
        {
            var notes = new List<string>();
            using (var held = await VaultLock.AcquireAsync(repository.Locks, from.Vault, from.Name, SyncLockTimeout, clock, CancellationToken.None, report).ConfigureAwait(false))
            {
                if (held == null)
                {
                    return null;
                }

                var record = held.ReadRecord();
                if (record == null || record.Fingerprint == from.PairFingerprint)
                {
                    return new RefreshOutcome(from);
                }

                var lineage = await LearnAsync(from, record, notes).ConfigureAwait(false);
                return new RefreshOutcome(lineage.Connection, lineage.WriteBackFailure, notes);
            }
        }

        /// <summary>What the record and the vault say of <paramref name="from"/>'s lineage, under the entry's lock.</summary>
        private async Task<Lineage> LearnAsync(Connection from, RefreshRecord? record, List<string> notes)
        {
            if (record == null)
            {
                // No record (a first refresh here, an older module): nothing says which pair is newer, so ours is
                // refreshed; if the server refuses it, the vault's is tried.
                return new Lineage(from);
            }

            if (record.Fingerprint != from.PairFingerprint)
            {
                var stored = await reads.TryReadFreshAsync(from).ConfigureAwait(false);
                if (stored != null && stored.PairFingerprint == record.Fingerprint)
                {
                    notes.Add($"Adopted the pair another process stored for '{from.Name}' in vault '{from.Vault}'.");
                    return new Lineage(Adopt(from, stored));
                }

                // The newest pair stored here is not in the vault: its write failed, or a stale copy of the store wrote an older one back.
                return new Lineage(from) { LostFingerprint = record.Fingerprint };
            }

            // Ours is the newest stored here. A process with a stale copy of the store may have put an older pair back.
            var current = await reads.TryReadFreshAsync(from).ConfigureAwait(false);
            if (current != null && !current.HasSameTokens(from))
            {
                var failure = await reads.WriteAsync(from).ConfigureAwait(false);
                if (failure == null)
                {
                    notes.Add($"Vault '{from.Vault}' held an older pair for '{from.Name}' than this session's (a process with a stale copy of the store wrote it back): wrote this session's pair back.");
                }

                return new Lineage(from) { WriteBackFailure = failure };
            }

            return new Lineage(from);
        }

        /// <summary>An adopted pair needs no refresh of its own: not due, or (forced) just issued by another process.</summary>
        private bool Suffices(Connection adopted, bool forced) =>
            forced
                ? adopted.IssuedOn.HasValue && clock.UtcNow - adopted.IssuedOn.Value < JustRefreshed
                : !RefreshPolicy.IsDue(adopted, clock.UtcNow);

        private async Task<RefreshOutcome> RefreshHeldAsync(Connection from, Run run, bool retried = false)
        {
            TokenGrant grant;
            try
            {
                grant = await client.RefreshAsync(from.RefreshGrant(run.Network), CancellationToken.None).ConfigureAwait(false);
            }
            catch (TSheetsAuthException ex) when (ex.ServerError == "invalid_grant")
            {
                // Ours is spent. On another machine sharing the vault, someone may have just rotated it.
                var racing = MayBeRacing(from, ex, run.Lost);
                if (racing)
                {
                    run.Report.Verbose($"TSheets refused the refresh token of '{from.Name}'. Vault '{from.Vault}' may be shared with other machines, one of which may have just refreshed it: looking for its pair for up to {LostRacePatience.TotalSeconds:0} s.");
                }

                var newer = await reads.FindOtherAsync(from, racing ? LostRacePatience : TimeSpan.Zero).ConfigureAwait(false);
                if (newer == null)
                {
                    throw run.Lost == null ? ex : RefreshFailure.LostPair(from, ex);
                }

                run.Notes.Add($"TSheets refused the refresh token of '{from.Name}', and vault '{from.Vault}' holds another pair (rotated elsewhere): adopted it.");
                Adopt(from, newer);
                run.Record = RefreshRecord.Next(run.Record, newer, clock.UtcNow);
                run.Held?.WriteRecord(run.Record);
                return Suffices(newer, run.Forced) || retried
                    ? new RefreshOutcome(newer, run.WriteBackFailure, run.Notes)
                    : await RefreshHeldAsync(newer, run, retried: true).ConfigureAwait(false);
            }

            var fresh = from.WithGrant(grant, clock.UtcNow);
            if (!repository.Session.Replace(from, fresh) && repository.Session.Get(from.Name) == null)
            {
                // Disconnected meanwhile: the caller gets its token, the vault is not written back into.
                return new RefreshOutcome(fresh, null, run.Notes);
            }

            // The record says which pair is current, even when the vault could not be told: this
            // process then refreshes its own pair next time instead of going back to the vault's.
            run.Held?.WriteRecord(RefreshRecord.Next(run.Record, fresh, clock.UtcNow));
            return new RefreshOutcome(fresh, await reads.WriteAsync(fresh).ConfigureAwait(false), run.Notes);
        }

        /// <summary>
        /// Whether a refused refresh may be a race lost to another machine, the one case where waiting
        /// helps: not when the refresh token expired (the server says so, or it is older than the two
        /// weeks TSheets keeps one: no machine could have used it), not when the newest pair here is
        /// known to be lost, not for a vault on this machine only (the lock and the record said all).
        /// </summary>
        private bool MayBeRacing(Connection from, TSheetsAuthException refusal, string? lost) =>
            lost == null
            && refusal.Message.IndexOf("expired", StringComparison.OrdinalIgnoreCase) < 0
            && !(from.IssuedOn.HasValue && clock.UtcNow - from.IssuedOn.Value >= TSheetsConnection.RefreshTokenLifetime)
            && !repository.Vaults.IsLocalToMachine(from.Vault);

        private Connection Adopt(Connection from, Connection stored)
        {
            repository.Session.Replace(from, stored);
            return stored;
        }

        /// <summary>One refresh under the entry's lock: what it holds and learns on the way.</summary>
        private sealed class Run
        {
            public VaultLock? Held { get; set; }

            public RefreshRecord? Record { get; set; }

            /// <summary>The newest pair stored on this machine, when the vault no longer holds it.</summary>
            public string? Lost { get; set; }

            public bool Forced { get; set; }

            public List<string> Notes { get; set; } = new List<string>();

            public TSheetsAuthException? WriteBackFailure { get; set; }

            public NetworkSettings Network { get; set; } = NetworkSettings.Default;

            /// <summary>Who hears, while it happens, that a refused refresh waits for another machine's pair.</summary>
            public IReporter Report { get; set; } = NullReporter.Instance;
        }

        /// <summary>What lineage says before a refresh: the pair to refresh, and what went wrong on the way.</summary>
        private sealed class Lineage
        {
            public Lineage(Connection connection) => Connection = connection;

            public Connection Connection { get; }

            /// <summary>The newest pair stored on this machine, when the vault no longer holds it.</summary>
            public string? LostFingerprint { get; set; }

            /// <summary>Set when this session's newer pair could not be written back over an older one.</summary>
            public TSheetsAuthException? WriteBackFailure { get; set; }
        }
    }
}
