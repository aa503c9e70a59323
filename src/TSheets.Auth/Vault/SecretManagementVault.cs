using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using System.Collections.Concurrent;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Vaults through Microsoft.PowerShell.SecretManagement, called module-qualified in the
    /// process's one private runspace (<see cref="VaultRunspace"/>): loaded only when a vault is
    /// used, usable from any thread, and with no host, so a vault that wants a password fails
    /// instead of prompting. SecretStore keeps one copy of its store per process and writes that
    /// whole copy back on every change, so every call on it starts by making this process's copy
    /// what the disk holds (<see cref="SecretStoreCopy"/>), and writes and removals happen in this
    /// process, under a per-user lock per vault, one process at a time: the person's own
    /// SecretManagement calls in this session then see what the module wrote, and their next
    /// Set-Secret writes it back with theirs instead of erasing it. Where the copy cannot be made
    /// fresh (another SecretStore build), the store is changed in a short child process
    /// (<see cref="VaultChildProcess"/>) instead, as the disk holds it.
    /// </summary>
    internal sealed class SecretManagementVault : IVaultStore
    {
        public const string ModuleName = "Microsoft.PowerShell.SecretManagement";

        /// <summary>The extension vault that keeps its decrypted store in memory once per process.</summary>
        public const string CachingVaultModule = "Microsoft.PowerShell.SecretStore";

        public static readonly SecretManagementVault Instance = new SecretManagementVault();

        /// <summary>Longer than two child-process calls take at the most (each is killed after 30 s); settable, through reflection, by the test of a held lock.</summary>
        internal static TimeSpan StoreLockTimeout { get; set; } = TimeSpan.FromSeconds(75);

        private readonly ConcurrentDictionary<string, bool> caching = new ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);

        /// <summary>True for a vault whose module keeps a per-process copy of a store on this machine (SecretStore).</summary>
        public bool IsLocalToMachine(string vault) => CachesPerProcess(vault);

        public SecureString Read(string vault, string secretName)
        {
            if (!CachesPerProcess(vault) || IsFresh(SecretStoreCopy.Reload()))
            {
                return ReadHere(vault, secretName);
            }

            // A copy that could not be made fresh: what it lacks, a child reads from the disk.
            return ReadHere(vault, secretName) ?? VaultChildProcess.ReadAsync(vault, secretName, CancellationToken.None).GetAwaiter().GetResult();
        }

        private SecureString ReadHere(string vault, string secretName)
        {
            var value = VaultRunspace.Shared.Run(vault, session =>
            {
                try
                {
                    // As text: a SecureString holds at most 65,536 characters, and SecretManagement reports a longer
                    // string secret as not found; the text is checked (and refused) as a connection instead.
                    return session.Invoke("Get-Secret", new Dictionary<string, object> { ["Name"] = secretName, ["Vault"] = vault, ["AsPlainText"] = true }).FirstOrDefault()?.BaseObject;
                }
                catch (VaultCallException ex) when (ex.ErrorId != null && ex.ErrorId.StartsWith("GetSecretNotFound", StringComparison.Ordinal))
                {
                    return null;
                }
            });
            return AsSecret(value, vault, secretName);
        }

        public Task<SecureString> ReadFreshAsync(string vault, string secretName, CancellationToken cancellationToken)
        {
            if (!CachesPerProcess(vault) || IsFresh(SecretStoreCopy.Reload()))
            {
                return Task.FromResult(ReadHere(vault, secretName));
            }

            // A SecretStore copy that could not be made fresh: a child has none.
            return VaultChildProcess.ReadAsync(vault, secretName, cancellationToken);
        }

        public void Write(string vault, string secretName, SecureString value)
        {
            if (!CachesPerProcess(vault))
            {
                WriteHere(vault, secretName, value);
                return;
            }

            var inChild = OnTheStoreAsItIs(vault, () =>
            {
                if (IsFresh(SecretStoreCopy.Reload()) || !VaultChildProcess.Available)
                {
                    WriteHere(vault, secretName, value);
                    return false;
                }

                VaultChildProcess.Write(vault, secretName, value);
                return true;
            }, fallBackToThisProcess: () => WriteHere(vault, secretName, value));
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
                return RemoveHere(vault, secretName);
            }

            var removed = false;
            var inChild = OnTheStoreAsItIs(vault, () =>
            {
                if (IsFresh(SecretStoreCopy.Reload()) || !VaultChildProcess.Available)
                {
                    removed = RemoveHere(vault, secretName);
                    return false;
                }

                removed = VaultChildProcess.Remove(vault, secretName);
                return true;
            }, fallBackToThisProcess: () => removed = RemoveHere(vault, secretName));
            if (inChild)
            {
                SecretStoreCopy.Reload();
            }

            return removed;
        }

        private void WriteHere(string vault, string secretName, SecureString value) =>
            VaultRunspace.Shared.Run(vault, session => session.Invoke("Set-Secret", new Dictionary<string, object> { ["Name"] = secretName, ["SecureStringSecret"] = value, ["Vault"] = vault }));

        private bool RemoveHere(string vault, string secretName) =>
            VaultRunspace.Shared.Run(vault, session =>
            {
                var exists = session.Invoke("Get-SecretInfo", new Dictionary<string, object> { ["Name"] = WildcardPattern.Escape(secretName), ["Vault"] = vault })
                    .Any(info => string.Equals(info.Properties["Name"]?.Value as string, secretName, StringComparison.OrdinalIgnoreCase));
                if (!exists)
                {
                    return false;
                }

                session.Invoke("Remove-Secret", new Dictionary<string, object> { ["Name"] = secretName, ["Vault"] = vault });
                return true;
            });

        public IReadOnlyList<string> List(string vault, string namePattern)
        {
            if (CachesPerProcess(vault) && !IsFresh(SecretStoreCopy.Reload()))
            {
                try
                {
                    return VaultChildProcess.List(vault, namePattern);
                }
                catch (VaultCallException ex) when (NeedsThisProcessesPassword(ex))
                {
                    // A store unlocked in this process only: list this process's copy.
                }
                catch (VaultCallException ex)
                {
                    throw Failed(vault, ex);
                }
            }

            return ListHere(vault, namePattern);
        }

        private IReadOnlyList<string> ListHere(string vault, string namePattern) =>
            VaultRunspace.Shared.Run(vault, session => (IReadOnlyList<string>)session
                .Invoke("Get-SecretInfo", new Dictionary<string, object> { ["Name"] = namePattern, ["Vault"] = vault })
                .Select(info => info.Properties["Name"]?.Value as string)
                .Where(name => name != null)
                .ToList());

        /// <summary>A child failed because the store wants a password (which only this process may hold): nothing else falls back.</summary>
        private static bool NeedsThisProcessesPassword(Exception failure) =>
            failure is VaultCallException && failure.Message.IndexOf("password", StringComparison.OrdinalIgnoreCase) >= 0;

        private static TSheetsAuthException Failed(string vault, VaultCallException failure) =>
            new TSheetsAuthException(ErrorIds.VaultError, $"The vault '{vault}' failed: {failure.Message}", vault, failure);

        /// <summary>True for a vault whose module keeps a per-process copy of the store (asked once per vault and process).</summary>
        private bool CachesPerProcess(string vault) =>
            caching.GetOrAdd(vault, name => VaultRunspace.Shared.Run(name, session =>
                session.Invoke("Get-SecretVault", new Dictionary<string, object> { ["Name"] = name })
                    .Any(info => string.Equals(info.Properties["Name"]?.Value as string, name, StringComparison.OrdinalIgnoreCase)
                        && string.Equals(info.Properties["ModuleName"]?.Value as string, CachingVaultModule, StringComparison.OrdinalIgnoreCase))));

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
        private static bool OnTheStoreAsItIs(string vault, Func<bool> change, Action fallBackToThisProcess)
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            using (var held = VaultLock.AcquireAsync(LockFolder.Default, vault, "\u0001store", StoreLockTimeout, SystemClock.Instance, CancellationToken.None).GetAwaiter().GetResult())
            {
                // No lock at once: no usable lock folder or file, so on without one. No lock after the whole wait: someone holds it.
                if (held == null && waited.Elapsed >= StoreLockTimeout)
                {
                    throw new TSheetsAuthException(
                        ErrorIds.VaultError,
                        $"The vault '{vault}' was not changed: another TSheets.Auth process or runspace held its store lock for over {StoreLockTimeout.TotalSeconds:0} seconds. Try again when it is done.",
                        vault);
                }

                try
                {
                    return change();
                }
                catch (VaultCallException ex) when (NeedsThisProcessesPassword(ex))
                {
                    fallBackToThisProcess();
                    return false;
                }
                catch (VaultCallException ex)
                {
                    throw Failed(vault, ex);
                }
            }
        }

        /// <summary>A string secret as a SecureString; anything else is not a TSheets.Auth connection.</summary>
        internal static SecureString AsSecret(object value, string vault, string secretName)
        {
            switch (value)
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
    }
}
