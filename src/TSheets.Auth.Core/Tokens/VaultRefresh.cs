using System;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth
{
    /// <summary>
    /// The refresh of a vault-held connection, correct whatever the vault caches. Under the entry's
    /// lock, the record says whether another process of this machine stored a newer pair than
    /// ours; if so that pair is read past the per-process cache and adopted, instead of spending a
    /// refresh token the server has revoked. Across machines no lock helps: an <c>invalid_grant</c>
    /// sends us back to the vault (fresh reads, waiting briefly for the winner's write), and a newer
    /// pair found there is adopted. A rotated pair that cannot be written is retried, then reported.
    /// </summary>
    internal sealed class VaultRefresh
    {
        private static readonly TimeSpan[] WriteRetryDelays = { TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1) };
        private static readonly TimeSpan StaleReadPatience = TimeSpan.FromSeconds(6);
        private static readonly TimeSpan LostRacePatience = TimeSpan.FromSeconds(10);
        private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

        /// <summary>A pair another process stored this recently is what a -ForceRefresh asked for.</summary>
        private static readonly TimeSpan JustRefreshed = TimeSpan.FromMinutes(1);

        private readonly ConnectionRepository repository;
        private readonly TokenClient client;
        private readonly IClock clock;

        public VaultRefresh(ConnectionRepository repository, TokenClient client)
        {
            this.repository = repository;
            this.client = client;
            clock = repository.Clock;
        }

        public async Task<RefreshOutcome> RunAsync(Connection from, bool forced, IReporter report = null)
        {
            var none = CancellationToken.None;
            var trustRecord = true;
            for (var round = 0; ; round++)
            {
                string newerFingerprint = null;
                using (var held = await VaultLock.AcquireAsync(repository.Locks, from.Vault, from.Name, ConnectionRepository.LockTimeout, clock, none, report).ConfigureAwait(false))
                {
                    var record = held?.ReadRecord();
                    if (trustRecord && record != null && record.Fingerprint != from.PairFingerprint && round < 3)
                    {
                        newerFingerprint = record.Fingerprint;
                    }
                    else
                    {
                        if (record == null)
                        {
                            // No record yet (a first refresh, an older module): the vault read is all there is.
                            var stored = TryRead(from);
                            if (IsNewer(stored, from))
                            {
                                from = Adopt(from, stored);
                                if (Suffices(stored, forced))
                                {
                                    return new RefreshOutcome(stored);
                                }
                            }
                        }

                        return await RefreshHeldAsync(from, held, record).ConfigureAwait(false);
                    }
                }

                // Another process here stored a newer pair: learn it outside the lock, past any cache.
                var newer = await FindNewerAsync(from, newerFingerprint, StaleReadPatience).ConfigureAwait(false);
                if (newer == null)
                {
                    // The vault does not show it (its write failed?): refresh ours; invalid_grant recovery decides.
                    trustRecord = false;
                    continue;
                }

                from = Adopt(from, newer);
                if (Suffices(newer, forced))
                {
                    return new RefreshOutcome(newer);
                }
            }
        }

        /// <summary>
        /// A pair that replaces ours: not the same, and not older (after a failed vault write the vault
        /// still holds the pair before ours, which the server has revoked). Unknown issue times count as newer.
        /// </summary>
        private static bool IsNewer(Connection candidate, Connection from) =>
            candidate != null && !candidate.HasSameTokens(from)
            && !(candidate.IssuedOn.HasValue && from.IssuedOn.HasValue && candidate.IssuedOn.Value <= from.IssuedOn.Value);

        /// <summary>An adopted pair needs no refresh of its own: not due, or (forced) just issued by another process.</summary>
        private bool Suffices(Connection adopted, bool forced) =>
            forced
                ? adopted.IssuedOn.HasValue && clock.UtcNow - adopted.IssuedOn.Value < JustRefreshed
                : !RefreshPolicy.IsDue(adopted, clock.UtcNow);

        private async Task<RefreshOutcome> RefreshHeldAsync(Connection from, VaultLock held, RefreshRecord record)
        {
            TokenGrant grant;
            try
            {
                grant = await client.RefreshAsync(from.BaseUri, from.Credentials, from.RefreshToken, from.Name, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TSheetsAuthException ex) when (ex.ServerError == "invalid_grant")
            {
                var newer = await FindNewerAsync(from, null, LostRacePatience).ConfigureAwait(false);
                if (newer == null)
                {
                    throw;
                }

                held?.WriteRecord(RefreshRecord.Next(record, newer, clock.UtcNow));
                return new RefreshOutcome(Adopt(from, newer));
            }

            var fresh = from.WithGrant(grant, clock.UtcNow);
            if (!repository.Session.Replace(from, fresh) && repository.Session.Get(from.Name) == null)
            {
                // Disconnected meanwhile: the caller gets its token, the vault is not written back into.
                return new RefreshOutcome(fresh);
            }

            // The record says which pair is current, even when the vault could not be told: this
            // process then refreshes its own pair next time instead of going back to the vault's.
            held?.WriteRecord(RefreshRecord.Next(record, fresh, clock.UtcNow));
            return new RefreshOutcome(fresh, await WriteAsync(fresh).ConfigureAwait(false));
        }

        /// <summary>Writes the rotated pair, retrying; the error to report when every try failed.</summary>
        private async Task<TSheetsAuthException> WriteAsync(Connection fresh)
        {
            var secretName = VaultDocument.SecretName(fresh.Name);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    repository.Vaults.Write(fresh.Vault, secretName, VaultDocument.Serialize(fresh));
                    return null;
                }
                catch (TSheetsAuthException ex)
                {
                    if (attempt < WriteRetryDelays.Length)
                    {
                        await clock.DelayAsync(WriteRetryDelays[attempt], CancellationToken.None).ConfigureAwait(false);
                        continue;
                    }

                    return new TSheetsAuthException(
                        ex.ErrorId,
                        $"The token '{fresh.Name}' was refreshed and the server has revoked the old refresh token, but the new pair could not be saved in vault '{fresh.Vault}' ({attempt + 1} tries): {ex.Message} This session now holds the only working pair: save it with {Messages.SaveCommand(fresh.Name, fresh.Vault)}, or the next run will have to sign in again.",
                        fresh.Name,
                        ex);
                }
            }
        }

        /// <summary>
        /// A pair in the vault other than <paramref name="from"/>'s (the one with
        /// <paramref name="fingerprint"/> when known), read in-process and past the cache, waiting
        /// up to <paramref name="patience"/> for it to appear; null when none does.
        /// </summary>
        private async Task<Connection> FindNewerAsync(Connection from, string fingerprint, TimeSpan patience)
        {
            bool Wanted(Connection candidate) => IsNewer(candidate, from) && (fingerprint == null || candidate.PairFingerprint == fingerprint);
            var deadline = clock.UtcNow + patience;
            for (var round = 0; ; round++)
            {
                var candidate = TryRead(from);
                if (Wanted(candidate))
                {
                    return candidate;
                }

                var last = clock.UtcNow >= deadline;
                if (round == 0 || last)
                {
                    candidate = await TryReadFreshAsync(from).ConfigureAwait(false);
                    if (Wanted(candidate) || (last && IsNewer(candidate, from)))
                    {
                        return candidate;
                    }
                }

                if (last)
                {
                    return null;
                }

                await clock.DelayAsync(PollInterval, CancellationToken.None).ConfigureAwait(false);
            }
        }

        private Connection Adopt(Connection from, Connection stored)
        {
            repository.Session.Replace(from, stored);
            return stored;
        }

        private Connection TryRead(Connection connection)
        {
            try
            {
                return repository.ReadVault(connection.Name, connection.Vault);
            }
            catch (TSheetsAuthException)
            {
                // A vault that cannot be read now does not stop the refresh; the write reports it.
                return null;
            }
        }

        private async Task<Connection> TryReadFreshAsync(Connection connection)
        {
            try
            {
                return await repository.ReadVaultFreshAsync(connection.Name, connection.Vault, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TSheetsAuthException)
            {
                return null;
            }
        }
    }
}
