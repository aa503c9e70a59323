using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Vaults through Microsoft.PowerShell.SecretManagement, called module-qualified in a private
    /// runspace: loaded only when a vault is used, usable from any thread (a refresh runs off the
    /// pipeline thread), and with no host, so a vault that wants a password fails instead of
    /// prompting. Every call is bounded in time.
    /// </summary>
    internal sealed class SecretManagementVault : IVaultStore
    {
        public const string ModuleName = "Microsoft.PowerShell.SecretManagement";

        public static readonly SecretManagementVault Instance = new SecretManagementVault();

        private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);

        public SecureString Read(string vault, string secretName) =>
            Run(vault, session =>
            {
                if (!Exists(session, vault, secretName))
                {
                    return null;
                }

                var value = session.Invoke("Get-Secret", new Dictionary<string, object> { ["Name"] = secretName, ["Vault"] = vault }).FirstOrDefault()?.BaseObject;
                switch (value)
                {
                    case SecureString secure:
                        return secure;
                    case string text:
                        return SecureStrings.FromPlainText(text);
                    default:
                        throw new TSheetsAuthException(
                            ErrorIds.VaultError,
                            $"The secret '{secretName}' in vault '{vault}' is not a string secret, so it is not a TSheets.Auth connection.",
                            vault);
                }
            });

        public void Write(string vault, string secretName, SecureString value) =>
            Run(vault, session => session.Invoke("Set-Secret", new Dictionary<string, object> { ["Name"] = secretName, ["SecureStringSecret"] = value, ["Vault"] = vault }));

        public bool Remove(string vault, string secretName) =>
            Run(vault, session =>
            {
                if (!Exists(session, vault, secretName))
                {
                    return false;
                }

                session.Invoke("Remove-Secret", new Dictionary<string, object> { ["Name"] = secretName, ["Vault"] = vault });
                return true;
            });

        public IReadOnlyList<string> List(string vault, string namePattern) =>
            Run(vault, session => (IReadOnlyList<string>)session
                .Invoke("Get-SecretInfo", new Dictionary<string, object> { ["Name"] = namePattern, ["Vault"] = vault })
                .Select(info => info.Properties["Name"]?.Value as string)
                .Where(name => name != null)
                .ToList());

        private static bool Exists(VaultSession session, string vault, string secretName) =>
            session.Invoke("Get-SecretInfo", new Dictionary<string, object> { ["Name"] = WildcardPattern.Escape(secretName), ["Vault"] = vault })
                .Any(info => string.Equals(info.Properties["Name"]?.Value as string, secretName, StringComparison.OrdinalIgnoreCase));

        private static T Run<T>(string vault, Func<VaultSession, T> body)
        {
            using (var session = VaultSession.Open(vault))
            {
                try
                {
                    return body(session);
                }
                catch (VaultCallException ex)
                {
                    throw session.Classify(ex);
                }
            }
        }

        /// <summary>A private runspace with SecretManagement imported.</summary>
        private sealed class VaultSession : IDisposable
        {
            private readonly Runspace runspace;
            private readonly string vault;

            private VaultSession(Runspace runspace, string vault)
            {
                this.runspace = runspace;
                this.vault = vault;
            }

            public static VaultSession Open(string vault)
            {
                var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
                runspace.Open();
                var session = new VaultSession(runspace, vault);
                try
                {
                    session.Invoke("Import-Module", new Dictionary<string, object> { ["Name"] = ModuleName }, qualify: false);
                }
                catch (VaultCallException ex)
                {
                    session.Dispose();
                    throw new TSheetsAuthException(
                        ErrorIds.SecretManagementNotInstalled,
                        $"Storing tokens in a vault needs the {ModuleName} module, which is not installed. Install it with: Install-PSResource {ModuleName} (or Install-Module {ModuleName}), then register a vault with Register-SecretVault.",
                        vault,
                        ex);
                }

                return session;
            }

            public IReadOnlyList<PSObject> Invoke(string command, IDictionary<string, object> parameters, bool qualify = true)
            {
                using (var shell = PowerShell.Create())
                {
                    shell.Runspace = runspace;
                    shell.AddCommand(qualify ? ModuleName + "\\" + command : command);
                    foreach (var parameter in parameters)
                    {
                        shell.AddParameter(parameter.Key, parameter.Value);
                    }

                    shell.AddParameter("ErrorAction", ActionPreference.Stop);
                    try
                    {
                        var pending = shell.BeginInvoke();
                        if (!pending.AsyncWaitHandle.WaitOne(CallTimeout))
                        {
                            shell.Stop();
                            throw new VaultCallException($"{command} did not finish within {CallTimeout.TotalSeconds:0} seconds.", null);
                        }

                        var results = shell.EndInvoke(pending);
                        if (shell.HadErrors && shell.Streams.Error.Count > 0)
                        {
                            throw new VaultCallException(shell.Streams.Error[0].Exception.Message, shell.Streams.Error[0].Exception);
                        }

                        return results.ToList();
                    }
                    catch (RuntimeException ex)
                    {
                        throw new VaultCallException(ex.ErrorRecord?.Exception?.Message ?? ex.Message, ex);
                    }
                }
            }

            /// <summary>An unknown vault, or the vault's own failure.</summary>
            public TSheetsAuthException Classify(VaultCallException failure)
            {
                try
                {
                    Invoke("Get-SecretVault", new Dictionary<string, object> { ["Name"] = vault });
                }
                catch (VaultCallException ex)
                {
                    return new TSheetsAuthException(
                        ErrorIds.VaultNotFound,
                        $"There is no SecretManagement vault named '{vault}' ({ex.Message}). Get-SecretVault lists the registered ones; Register-SecretVault adds one.",
                        vault,
                        ex);
                }

                return new TSheetsAuthException(
                    ErrorIds.VaultError,
                    $"The vault '{vault}' failed: {failure.Message}",
                    vault,
                    failure);
            }

            public void Dispose() => runspace.Dispose();
        }

        private sealed class VaultCallException : Exception
        {
            public VaultCallException(string message, Exception innerException)
                : base(message, innerException)
            {
            }
        }
    }
}
