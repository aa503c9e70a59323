using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Vaults through Microsoft.PowerShell.SecretManagement, called module-qualified in the
    /// process's one private runspace (<see cref="VaultRunspace"/>): loaded only when a vault is
    /// used, usable from any thread, and with no host, so a vault that wants a password fails
    /// instead of prompting. A fresh read, past SecretStore's per-process cache, runs in a short
    /// child process (<see cref="FreshVaultReader"/>).
    /// </summary>
    internal sealed class SecretManagementVault : IVaultStore
    {
        public const string ModuleName = "Microsoft.PowerShell.SecretManagement";

        public static readonly SecretManagementVault Instance = new SecretManagementVault();

        public SecureString Read(string vault, string secretName)
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
            FreshVaultReader.ReadAsync(vault, secretName, cancellationToken);

        public void Write(string vault, string secretName, SecureString value) =>
            VaultRunspace.Shared.Run(vault, session => session.Invoke("Set-Secret", new Dictionary<string, object> { ["Name"] = secretName, ["SecureStringSecret"] = value, ["Vault"] = vault }));

        public bool Remove(string vault, string secretName) =>
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

        public IReadOnlyList<string> List(string vault, string namePattern) =>
            VaultRunspace.Shared.Run(vault, session => (IReadOnlyList<string>)session
                .Invoke("Get-SecretInfo", new Dictionary<string, object> { ["Name"] = namePattern, ["Vault"] = vault })
                .Select(info => info.Properties["Name"]?.Value as string)
                .Where(name => name != null)
                .ToList());

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
                    return SecureStrings.FromPlainText(text);
                default:
                    throw new TSheetsAuthException(
                        ErrorIds.VaultError,
                        $"The secret '{secretName}' in vault '{vault}' is not a string secret, so it is not a TSheets.Auth connection.",
                        vault);
            }
        }
    }
}
