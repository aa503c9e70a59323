#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// The vault policy, over SecretManagement's plain calls (<see cref="IRawVault"/>). Every vault
    /// but SecretStore is called plainly. SecretStore keeps one copy of its store per process and
    /// writes that whole copy back on every change, so every call on it starts by making this
    /// process's copy what the disk holds (<see cref="SecretStoreCopy"/>), and writes and removals
    /// happen in this process, under a per-user lock per vault, one process at a time: the person's
    /// own SecretManagement calls in this session then see what the module wrote, and their next
    /// Set-Secret writes it back with theirs instead of erasing it. Where the copy cannot be made
    /// fresh (another SecretStore build), the store is changed in a short child process
    /// (<see cref="VaultChildProcess"/>) instead, as the disk holds it; a child that cannot open a
    /// store this process unlocked with its password hands the change back to this process.
    /// </summary>
    internal sealed class SecretStoreVault : IVaultStore
    {
        /// <summary>The extension vault that keeps its decrypted store in memory once per process.</summary>
        public const string CachingVaultModule = "Microsoft.PowerShell.SecretStore";

        /// <summary>The store lock's name beside the connections' locks (no connection name starts with a control character).</summary>
        private const string StoreLockName = "\u0001store";

        private readonly IRawVault raw;
        private readonly VaultChildProcess child;
        private readonly LockFolder locks;
        private readonly IClock clock;
        private readonly TimeSpan storeLockTimeout;
        private readonly ConcurrentDictionary<string, bool> caching = new ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);

        /// <param name="raw">SecretManagement's calls in this process.</param>
        /// <param name="child">Calls in a child PowerShell, for a copy that cannot be made fresh.</param>
        /// <param name="locks">Where the store lock lives.</param>
        /// <param name="clock">Reads the time and waits.</param>
        /// <param name="storeLockTimeout">How long a change waits for another process's change of the same store.</param>
        public SecretStoreVault(IRawVault raw, VaultChildProcess child, LockFolder locks, IClock clock, TimeSpan storeLockTimeout)
        {
            this.raw = raw ?? throw new ArgumentNullException(nameof(raw));
            this.child = child ?? throw new ArgumentNullException(nameof(child));
            this.locks = locks ?? throw new ArgumentNullException(nameof(locks));
            this.clock = clock ?? throw new ArgumentNullException(nameof(clock));
            this.storeLockTimeout = storeLockTimeout;
        }

        /// <summary>True for a vault whose module keeps a per-process copy of a store on this machine (SecretStore).</summary>
        public bool IsLocalToMachine(string vault) => CachesPerProcess(vault);

        public SecureString Read(string vault, string secretName)
        {
            if (!CachesPerProcess(vault) || IsFresh(SecretStoreCopy.Reload()))
            {
                return ReadHere(vault, secretName);
            }

            // A copy that could not be made fresh: what it lacks, a child reads from the disk.
            return ReadHere(vault, secretName) ?? child.ReadAsync(vault, secretName, CancellationToken.None).GetAwaiter().GetResult();
        }

        public Task<SecureString> ReadFreshAsync(string vault, string secretName, CancellationToken cancellationToken)
        {
            if (!CachesPerProcess(vault) || IsFresh(SecretStoreCopy.Reload()))
            {
                return Task.FromResult(ReadHere(vault, secretName));
            }

            // A SecretStore copy that could not be made fresh: a child has none.
            return child.ReadAsync(vault, secretName, cancellationToken);
        }

        public void Write(string vault, string secretName, SecureString value)
        {
            if (!CachesPerProcess(vault))
            {
                Outside(() => raw.Write(vault, secretName, value));
                return;
            }

            var inChild = OnTheStoreAsItIs(
                vault,
                () =>
                {
                    if (IsFresh(SecretStoreCopy.Reload()) || !child.Available)
                    {
                        Outside(() => raw.Write(vault, secretName, value));
                        return false;
                    }

                    child.Write(vault, secretName, value);
                    return true;
                },
                fallBackToThisProcess: () => raw.Write(vault, secretName, value));
            if (inChild)
            {
                // Too early for most builds' watchers, but a copy that could not be read a moment ago may be now.
                SecretStoreCopy.Reload();
            }
        }

        public bool Remove(string vault, string secretName)
        {
            if (!CachesPerProcess(vault))
            {
                return Outside(() => raw.Remove(vault, secretName));
            }

            var removed = false;
            var inChild = OnTheStoreAsItIs(
                vault,
                () =>
                {
                    if (IsFresh(SecretStoreCopy.Reload()) || !child.Available)
                    {
                        removed = Outside(() => raw.Remove(vault, secretName));
                        return false;
                    }

                    removed = child.Remove(vault, secretName);
                    return true;
                },
                fallBackToThisProcess: () => removed = Outside(() => raw.Remove(vault, secretName)));
            if (inChild)
            {
                SecretStoreCopy.Reload();
            }

            return removed;
        }

        public IReadOnlyList<string> List(string vault, string namePattern)
        {
            if (CachesPerProcess(vault) && !IsFresh(SecretStoreCopy.Reload()))
            {
                try
                {
                    return child.List(vault, namePattern);
                }
                catch (ChildVaultException ex) when (ex.NeedsPassword)
                {
                    // A store unlocked in this process only: list this process's copy.
                }
                catch (ChildVaultException ex)
                {
                    throw Failed(vault, ex);
                }
            }

            return Outside(() => raw.List(vault, namePattern));
        }

        /// <summary>The secret in this process, as a SecureString; one that cannot be a connection (too large, not a string) is said so.</summary>
        private SecureString ReadHere(string vault, string secretName)
        {
            switch (Outside(() => raw.Read(vault, secretName)))
            {
                case null:
                    return null;
                case SecureString secure:
                    return secure;
                case string text:
                    return VaultSecretText.ToSecret(text, vault, secretName);
                default:
                    throw VaultSecretText.NotAConnection(vault, secretName, "is not a string secret, so it is not a TSheets.Auth connection");
            }
        }

        private static TSheetsAuthException Failed(string vault, ChildVaultException failure) =>
            new TSheetsAuthException(ErrorIds.VaultError, $"The vault '{vault}' failed: {Redactor.ScrubOutside(failure.Message)}", vault, failure);

        /// <summary>A raw call, its failure's message (the vault's own words, from outside) scrubbed as it enters Core.</summary>
        private static T Outside<T>(Func<T> call)
        {
            try
            {
                return call();
            }
            catch (TSheetsAuthException ex)
            {
                var message = Redactor.ScrubOutside(ex.Message);
                if (string.Equals(message, ex.Message, StringComparison.Ordinal))
                {
                    throw;
                }

                throw new TSheetsAuthException(ex.ErrorId, message, ex.Target, ex.InnerException) { StatusCode = ex.StatusCode, ServerError = ex.ServerError, NotAConnection = ex.NotAConnection };
            }
        }

        private static void Outside(Action call) => Outside(() =>
        {
            call();
            return true;
        });

        /// <summary>True for a vault whose module keeps a per-process copy of the store (asked once per vault and process).</summary>
        private bool CachesPerProcess(string vault) =>
            caching.GetOrAdd(vault, name => string.Equals(Outside(() => raw.ModuleOf(name)), CachingVaultModule, StringComparison.OrdinalIgnoreCase));

        /// <summary>A copy that is what the disk holds, or no copy at all (the next call reads the disk).</summary>
        private static bool IsFresh(StoreCopy copy) => copy == StoreCopy.None || copy == StoreCopy.Reloaded;

        /// <summary>
        /// Runs a change of a SecretStore store under a per-user, per-vault lock: two of the module's
        /// processes changing one store at once would each write it without the other's change, so a
        /// lock that cannot be had in time means no change (a lock that cannot be made at all, as in a
        /// folder that cannot be private, means changes without one, as for refreshes). A child that
        /// cannot open a store this process unlocked with its password hands over to
        /// <paramref name="fallBackToThisProcess"/>.
        /// </summary>
        private bool OnTheStoreAsItIs(string vault, Func<bool> change, Action fallBackToThisProcess)
        {
            var started = clock.UtcNow;
            using (var held = VaultLock.AcquireAsync(locks, vault, StoreLockName, storeLockTimeout, clock, CancellationToken.None).GetAwaiter().GetResult())
            {
                // No lock at once: no usable lock folder or file, so on without one. No lock after the whole wait: someone holds it.
                if (held == null && clock.UtcNow - started >= storeLockTimeout)
                {
                    throw new TSheetsAuthException(
                        ErrorIds.VaultError,
                        $"The vault '{vault}' was not changed: another TSheets.Auth process or runspace held its store lock for over {storeLockTimeout.TotalSeconds:0} seconds. Try again when it is done.",
                        vault);
                }

                try
                {
                    return change();
                }
                catch (ChildVaultException ex) when (ex.NeedsPassword)
                {
                    fallBackToThisProcess();
                    return false;
                }
                catch (ChildVaultException ex)
                {
                    throw Failed(vault, ex);
                }
            }
        }
    }
}
