using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// SecretManagement's plain calls, module-qualified, in the process's one private runspace
    /// (<see cref="VaultRunspace"/>): loaded only when a vault is used, usable from any thread, and
    /// with no host, so a vault that wants a password fails instead of prompting. What to call when
    /// (SecretStore's per-process copy, the store lock, a child process) is Core's policy.
    /// </summary>
    internal sealed class SecretManagementBridge : IRawVault
    {
        public const string ModuleName = "Microsoft.PowerShell.SecretManagement";

        private readonly VaultRunspace runspace;

        /// <param name="callTimeout">How long one vault call may take before it is abandoned.</param>
        public SecretManagementBridge(TimeSpan callTimeout) => runspace = new VaultRunspace(ModuleName, callTimeout);

        public object Read(string vault, string secretName) =>
            runspace.Run(vault, session =>
            {
                try
                {
                    // As text: a SecureString holds at most 65,536 characters, and SecretManagement reports a longer
                    // string secret as not found; Core checks the text (and refuses it) as a connection instead.
                    var found = session.Invoke("Get-Secret", new Dictionary<string, object> { ["Name"] = secretName, ["Vault"] = vault, ["AsPlainText"] = true });
                    return found.Count == 0 ? null : found[0]?.BaseObject;
                }
                catch (VaultCallException ex) when (ex.ErrorId != null && ex.ErrorId.StartsWith("GetSecretNotFound", StringComparison.Ordinal))
                {
                    return null;
                }
            });

        public void Write(string vault, string secretName, SecureString value) =>
            runspace.Run(vault, session => session.Invoke("Set-Secret", new Dictionary<string, object> { ["Name"] = secretName, ["SecureStringSecret"] = value, ["Vault"] = vault }));

        public bool Remove(string vault, string secretName) =>
            runspace.Run(vault, session =>
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

        public IReadOnlyList<string> List(string vault, string namePattern) =>
            runspace.Run(vault, session => (IReadOnlyList<string>)session
                .Invoke("Get-SecretInfo", new Dictionary<string, object> { ["Name"] = namePattern, ["Vault"] = vault })
                .Select(info => info.Properties["Name"]?.Value as string)
                .Where(name => name != null)
                .ToList());

        /// <summary>Get-SecretVault takes a wildcard, but a vault name is none: only the vault named exactly so counts.</summary>
        public string ModuleOf(string vault) =>
            runspace.Run(vault, session => session.Invoke("Get-SecretVault", new Dictionary<string, object> { ["Name"] = vault })
                .Where(info => string.Equals(info.Properties["Name"]?.Value as string, vault, StringComparison.OrdinalIgnoreCase))
                .Select(info => info.Properties["ModuleName"]?.Value as string)
                .FirstOrDefault(module => module != null));
    }
}
