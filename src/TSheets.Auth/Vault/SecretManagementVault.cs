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
    /// instead of prompting. A vault that caches its store per process (SecretStore) is written
    /// and cleaned only in a short child process (<see cref="VaultChildProcess"/>), one process at
    /// a time per vault, so a process with a stale copy never writes it back over newer secrets.
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

        public SecureString Read(string vault, string secretName)
        {
            var secret = ReadHere(vault, secretName);
            // Not in this process's copy: another process may have stored it since this one loaded it.
            return secret == null && CachesPerProcess(vault) ? VaultChildProcess.ReadAsync(vault, secretName, CancellationToken.None).GetAwaiter().GetResult() : secret;
        }

        private SecureString ReadHere(string vault, string secretName)
        {
            var value = VaultRunspace.Shared.Run(vault, session =>
            {
                try
                {
                    return session.Invoke("Get-Secret", new Dictionary<string, object> { ["Name"] = secretName, ["Vault"] = vault }).FirstOrDefault()?.BaseObject;
                }
                catch (VaultCallException ex) when (ex.ErrorId != null && ex.ErrorId.StartsWith("GetSecretNotFound", StringComparison.Ordinal))
                {
                    return null;
                }
            });
            return AsSecret(value, vault, secretName);
        }

        public Task<SecureString> ReadFreshAsync(string vault, string secretName, CancellationToken cancellationToken) =>
            VaultChildProcess.ReadAsync(vault, secretName, cancellationToken);

        public void Write(string vault, string secretName, SecureString value)
        {
            if (CachesPerProcess(vault))
            {
                try
                {
                    OnTheStoreAsItIs(vault, () => VaultChildProcess.Write(vault, secretName, value));
                    return;
                }
                catch (TSheetsAuthException ex) when (NeedsThisProcessesPassword(ex.InnerException))
                {
                    // A child cannot open a store this process unlocked with its password: write here.
                }
            }

            VaultRunspace.Shared.Run(vault, session => session.Invoke("Set-Secret", new Dictionary<string, object> { ["Name"] = secretName, ["SecureStringSecret"] = value, ["Vault"] = vault }));
        }

        public bool Remove(string vault, string secretName)
        {
            if (CachesPerProcess(vault))
            {
                try
                {
                    return OnTheStoreAsItIs(vault, () => VaultChildProcess.Remove(vault, secretName));
                }
                catch (TSheetsAuthException ex) when (NeedsThisProcessesPassword(ex.InnerException))
                {
                    // As for Write: a store unlocked in this process only.
                }
            }

            return RemoveHere(vault, secretName);
        }

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
            if (CachesPerProcess(vault))
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
            VaultChildProcess.Available && caching.GetOrAdd(vault, name => VaultRunspace.Shared.Run(name, session =>
                session.Invoke("Get-SecretVault", new Dictionary<string, object> { ["Name"] = name })
                    .Any(info => string.Equals(info.Properties["Name"]?.Value as string, name, StringComparison.OrdinalIgnoreCase)
                        && string.Equals(info.Properties["ModuleName"]?.Value as string, CachingVaultModule, StringComparison.OrdinalIgnoreCase))));

        /// <summary>
        /// Runs a child-process write or removal under a per-user, per-vault lock: two of the module's
        /// processes writing one SecretStore at once would each write the store without the other's change,
        /// so a lock that cannot be had in time means no write (a lock that cannot be made at all, as in a
        /// folder that cannot be private, means writes without one, as for refreshes).
        /// </summary>
        private static T OnTheStoreAsItIs<T>(string vault, Func<T> change)
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
                catch (VaultCallException ex)
                {
                    throw Failed(vault, ex);
                }
            }
        }

        private static void OnTheStoreAsItIs(string vault, Action change) => OnTheStoreAsItIs(vault, () => { change(); return true; });

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
