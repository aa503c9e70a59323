using System.Collections.Generic;
using System.Security;

namespace TSheets.Auth
{
    /// <summary>
    /// A SecretManagement vault, seen from Core. The module implements it by calling
    /// SecretManagement's commands; failures come back as <see cref="TSheetsAuthException"/> with
    /// <c>SecretManagementNotInstalled</c>, <c>VaultNotFound</c> or <c>VaultError</c>.
    /// </summary>
    public interface IVaultStore
    {
        /// <summary>The secret's value, or null when the vault has no such secret.</summary>
        SecureString Read(string vault, string secretName);

        void Write(string vault, string secretName, SecureString value);

        /// <summary>False when there was nothing to remove.</summary>
        bool Remove(string vault, string secretName);

        /// <summary>Names of the secrets in the vault that match a wildcard pattern.</summary>
        IReadOnlyList<string> List(string vault, string namePattern);
    }
}
