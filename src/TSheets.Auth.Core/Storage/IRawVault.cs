#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System.Collections.Generic;
using System.Security;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// SecretManagement's plain calls in this process, and nothing more: the cmdlet assembly
    /// implements it over its private runspace. Failures come back as
    /// <see cref="TSheetsAuthException"/> with <c>SecretManagementNotInstalled</c>,
    /// <c>VaultNotFound</c> or <c>VaultError</c> (with the vault's own message). The policy that
    /// keeps SecretStore's per-process copy true is Core's (<see cref="SecretStoreVault"/>).
    /// </summary>
    internal interface IRawVault
    {
        /// <summary>
        /// The secret's value as SecretManagement gives it (a string read with <c>-AsPlainText</c>: a
        /// SecureString holds at most 65,536 characters, and SecretManagement reports a longer string
        /// secret as not found), or null when the vault has no such secret (<c>Get-Secret</c>).
        /// </summary>
        object Read(string vault, string secretName);

        /// <summary><c>Set-Secret</c> with a SecureString value.</summary>
        void Write(string vault, string secretName, SecureString value);

        /// <summary><c>Remove-Secret</c> of exactly this name; false when there was none.</summary>
        bool Remove(string vault, string secretName);

        /// <summary>The names of the secrets matching a wildcard pattern (<c>Get-SecretInfo</c>).</summary>
        IReadOnlyList<string> List(string vault, string namePattern);

        /// <summary>The extension module that backs the vault (<c>Get-SecretVault</c>).</summary>
        string ModuleOf(string vault);
    }
}
