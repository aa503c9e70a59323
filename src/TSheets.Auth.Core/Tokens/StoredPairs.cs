using System;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Reporting;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Tokens
{
    /// <summary>
    /// A vault entry's pair as a refresh sees it: read (through the vault's per-process cache, or
    /// past it), looked for when another machine may have just stored it, and written with retries.
    /// A vault that cannot be read now does not stop a refresh; a write that keeps failing is said.
    /// </summary>
    internal sealed class StoredPairs
    {
        private static readonly TimeSpan[] WriteRetryDelays = { TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1) };
        private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

        private readonly ConnectionRepository repository;
        private readonly IClock clock;

        public StoredPairs(ConnectionRepository repository)
        {
            this.repository = repository;
            clock = repository.Clock;
        }

        /// <summary>Writes the rotated pair, retrying; the error to report when every try failed.</summary>
        public async Task<TSheetsAuthException?> WriteAsync(Connection fresh)
        {
            var secretName = VaultDocument.SecretName(fresh.Name);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    repository.Vaults.Write(fresh.Vault, secretName, VaultDocument.Serialize(fresh));
                    await repository.Remembered.RememberAsync(fresh, NullReporter.Instance).ConfigureAwait(false);
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
        /// A pair in the vault other than <paramref name="from"/>'s, read past any cache, waiting up
        /// to <paramref name="patience"/> for one to appear (in-process reads between the first and
        /// the last fresh one); null when none does.
        /// </summary>
        public async Task<Connection?> FindOtherAsync(Connection from, TimeSpan patience)
        {
            var deadline = clock.UtcNow + patience;
            for (var round = 0; ; round++)
            {
                var last = clock.UtcNow >= deadline;
                var candidate = round == 0 || last ? await TryReadFreshAsync(from).ConfigureAwait(false) : TryRead(from);
                if (candidate != null && !candidate.HasSameTokens(from))
                {
                    return candidate;
                }

                if (last)
                {
                    return null;
                }

                await clock.DelayAsync(PollInterval, CancellationToken.None).ConfigureAwait(false);
            }
        }

        public Connection? TryRead(Connection connection)
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

        public async Task<Connection?> TryReadFreshAsync(Connection connection)
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
