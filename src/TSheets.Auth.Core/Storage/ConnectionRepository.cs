#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Collections.Generic;
using System.Linq;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Reporting;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// Where connections live: the process-wide session, SecretManagement vaults (each one
    /// remembered where it was saved, so no -Vault is needed to find it again), and (for CI) the
    /// environment. Save, load, remove and list all go through here, so every command treats the
    /// session and a vault the same way. A failure never replaces what the session holds.
    /// </summary>
    internal sealed class ConnectionRepository
    {
        /// <summary>
        /// How long a process waits for another one working on the same vault entry: longer than a
        /// holder usually takes (a /grant call and a vault write, each bounded), not always (three slow
        /// write attempts). One that gives up goes on without the lock, and the invalid_grant recovery
        /// (a fresh read of the vault) covers what it then races.
        /// </summary>
        internal static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(3);

        private readonly IVaultStore vaults;

        /// <param name="session">The process's connections.</param>
        /// <param name="vaults">SecretManagement, seen from Core.</param>
        /// <param name="clock">Reads the time and waits.</param>
        /// <param name="locks">The per-user lock folder.</param>
        /// <param name="environmentToken">The CI token; null: none.</param>
        /// <param name="remembered">Where each connection was saved; null: nothing is remembered (tests of other parts).</param>
        public ConnectionRepository(SessionStore session, IVaultStore vaults, IClock clock, LockFolder locks, EnvironmentToken environmentToken = null, RememberedConnections remembered = null)
        {
            Session = session ?? throw new ArgumentNullException(nameof(session));
            this.vaults = vaults;
            Clock = clock ?? throw new ArgumentNullException(nameof(clock));
            Locks = locks ?? throw new ArgumentNullException(nameof(locks));
            EnvironmentToken = environmentToken ?? new EnvironmentToken(_ => null);
            Remembered = remembered ?? RememberedConnections.None;
        }

        public SessionStore Session { get; }

        public IClock Clock { get; }

        public LockFolder Locks { get; }

        public IVaultStore Vaults => vaults ?? throw new InvalidOperationException("No vault store was given.");

        public EnvironmentToken EnvironmentToken { get; }

        public RememberedConnections Remembered { get; }

        /// <summary>
        /// The session's connection, else the vault's (the scope's, else the one it was last saved
        /// in; it then fills the session), else the CI token from the environment for
        /// <c>default</c>; null when there is none. A remembered connection its vault no longer
        /// holds is <c>TokenNotFound</c> saying so, never "no connection".
        /// </summary>
        public Connection Find(CallScope scope)
        {
            var found = Session.Get(scope.Name);
            if (found != null)
            {
                return found;
            }

            if (scope.Vault != null)
            {
                found = Load(scope.Name, scope.Vault);
            }
            else if (Remembered.Find(scope.Name) is RememberedConnection remembered)
            {
                found = LoadRemembered(remembered, scope.Report);
            }

            if (found != null)
            {
                return found;
            }

            found = EnvironmentToken.Find(scope.Name);
            if (found != null)
            {
                scope.Report.Verbose($"Using the token in ${EnvironmentToken.TokenVariable} as the '{found.Name}' connection (a token made in the web UI: it is never refreshed or stored).");
            }

            return found;
        }

        /// <summary>
        /// Stores a connection in the session and, with the scope's vault, in that vault (under
        /// the entry's lock, and noted in its record so other processes learn their pair is stale),
        /// and returns what was stored. The session keeps it even when the vault fails, which the
        /// error then says. A corrupt secret is replaced with a warning; one from a newer module is not.
        /// </summary>
        public async Task<Connection> SaveAsync(Connection connection, CallScope scope)
        {
            var vault = scope.Vault;
            var report = scope.Report;
            var cancellationToken = scope.Cancellation;
            connection = connection with { Vault = vault };
            Session.Set(connection);
            if (vault == null)
            {
                return connection;
            }

            try
            {
                using (var held = await VaultLock.AcquireAsync(Locks, vault, connection.Name, LockTimeout, Clock, cancellationToken, report).ConfigureAwait(false))
                {
                    var secretName = VaultDocument.SecretName(connection.Name);
                    SecureString existing;
                    try
                    {
                        existing = Vaults.Read(vault, secretName);
                    }
                    catch (TSheetsAuthException ex) when (ex.NotAConnection)
                    {
                        // Too large or not a string: nothing a module of any version could read back.
                        report.Warning($"Replaced the secret '{secretName}' in vault '{vault}', which was not a readable TSheets.Auth connection.");
                        existing = null;
                    }

                    if (existing != null)
                    {
                        try
                        {
                            VaultDocument.Parse(existing, connection.Name, vault);
                        }
                        catch (TSheetsAuthException) when (!VaultDocument.IsFromNewerModule(existing))
                        {
                            report.Warning($"Replaced the secret '{secretName}' in vault '{vault}', which was not a readable TSheets.Auth connection.");
                        }
                    }

                    Vaults.Write(vault, secretName, VaultDocument.Serialize(connection));
                    held?.WriteRecord(RefreshRecord.Next(held.ReadRecord(), connection, Clock.UtcNow));
                }
            }
            catch (TSheetsAuthException ex)
            {
                throw new TSheetsAuthException(ex.ErrorId, $"The token '{connection.Name}' is in this session but was not saved in vault '{vault}': {ex.Message}", connection.Name, ex);
            }

            await Remembered.RememberAsync(connection, report).ConfigureAwait(false);
            return connection;
        }

        /// <summary>
        /// Removes a connection from the session and, with <paramref name="vault"/>, its secret and
        /// lock, and forgets where it was saved (when that was <paramref name="vault"/>).
        /// </summary>
        public async Task<Removal> RemoveAsync(string name, string vault, IReporter report)
        {
            var removal = new Removal { FromSession = Session.Remove(name) };
            if (vault != null)
            {
                removal.FromVault = Vaults.Remove(vault, VaultDocument.SecretName(name));
                VaultLock.Delete(Locks, vault, name);
            }

            removal.Forgotten = await Remembered.ForgetAsync(name, vault, report).ConfigureAwait(false);
            return removal;
        }

        /// <summary>The vault a connection is kept in, when none is given: the session's copy's, else where it was last saved; null: the session only.</summary>
        public string VaultOf(string name) => Session.Get(name)?.Vault ?? Remembered.Find(name)?.Vault;

        /// <summary>
        /// Connection names matching <paramref name="isMatch"/>, from the session and (with a vault)
        /// the vault, else those remembered in any vault, sorted.
        /// </summary>
        public IReadOnlyList<string> Names(Func<string, bool> isMatch, string vaultPattern, string vault)
        {
            var names = Session.All().Select(c => c.Name).Where(isMatch);
            if (vault == null)
            {
                names = names.Concat(Remembered.All().Select(c => c.Name).Where(isMatch));
            }
            else
            {
                var prefix = VaultDocument.SecretPrefix;
                names = names.Concat(Vaults.List(vault, prefix + vaultPattern)
                    .Where(secret => secret.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .Select(secret => secret.Substring(prefix.Length))
                    .Where(isMatch));
            }

            return names.Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToList();
        }

        /// <summary>Reads a connection from a vault into the session, without a request to TSheets; null when the vault has none.</summary>
        public Connection Load(string name, string vault)
        {
            var connection = ReadVault(name, vault);
            if (connection != null)
            {
                Session.Set(connection);
            }

            return connection;
        }

        /// <summary>A connection from the vault it was saved in; its vault's failure says where it was looked for.</summary>
        private Connection LoadRemembered(RememberedConnection remembered, IReporter report)
        {
            Connection found;
            try
            {
                found = Load(remembered.Name, remembered.Vault);
            }
            catch (TSheetsAuthException ex) when (ex.ErrorId == ErrorIds.VaultNotFound || ex.ErrorId == ErrorIds.VaultError || ex.ErrorId == ErrorIds.SecretManagementNotInstalled)
            {
                throw new TSheetsAuthException(ex.ErrorId, $"The connection '{remembered.Name}' was saved in vault '{remembered.Vault}', which could not be read: {ex.Message}", remembered.Name, ex);
            }

            if (found == null)
            {
                throw remembered.NoLongerInVault();
            }

            report.Verbose($"Found '{remembered.Name}' in vault '{remembered.Vault}', where it was saved.");
            return found;
        }

        /// <summary>The vault's copy (possibly from a per-process cache); null when it has none.</summary>
        public Connection ReadVault(string name, string vault)
        {
            var secret = Vaults.Read(vault, VaultDocument.SecretName(name));
            return secret == null ? null : VaultDocument.Parse(secret, name, vault);
        }

        /// <summary>The vault's copy as it is now, past any per-process cache; null when it has none or it cannot be read that way.</summary>
        public async Task<Connection> ReadVaultFreshAsync(string name, string vault, CancellationToken cancellationToken)
        {
            var secret = await Vaults.ReadFreshAsync(vault, VaultDocument.SecretName(name), cancellationToken).ConfigureAwait(false);
            return secret == null ? null : VaultDocument.Parse(secret, name, vault);
        }

        public static TSheetsAuthException NotFound(string name, string vault) =>
            new TSheetsAuthException(
                ErrorIds.TokenNotFound,
                vault == null
                    ? $"There is no TSheets connection named '{name}' in this session, and none was saved in a vault under that name (Get-TSheetsConnection lists the connections there are). Sign in with Connect-TSheets -Name '{Messages.Quote(name)}', or store a token with Set-TSheetsToken."
                    : $"There is no TSheets connection named '{name}' in this session or in vault '{vault}' (no secret '{VaultDocument.SecretName(name)}'). Sign in with Connect-TSheets -Vault '{Messages.Quote(vault)}', or store a token with Set-TSheetsToken -Vault '{Messages.Quote(vault)}'.",
                name);
    }
}
