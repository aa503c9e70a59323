#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System.Collections.Generic;
using System.Security;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// A SecretManagement vault, seen from Core. The module implements it by calling
    /// SecretManagement's commands; failures come back as <see cref="TSheetsAuthException"/> with
    /// <c>SecretManagementNotInstalled</c>, <c>VaultNotFound</c> or <c>VaultError</c>.
    /// </summary>
    internal interface IVaultStore
    {
        /// <summary>The secret's value, or null when the vault has no such secret. May come from a per-process cache.</summary>
        SecureString Read(string vault, string secretName);

        /// <summary>
        /// The secret as the vault holds it now, bypassing any per-process cache (SecretStore keeps
        /// one, and may never see another process's write): slow, for the rare path only. Null when
        /// the vault has no such secret, or when such a read is not possible here.
        /// </summary>
        Task<SecureString> ReadFreshAsync(string vault, string secretName, CancellationToken cancellationToken);

        void Write(string vault, string secretName, SecureString value);

        /// <summary>False when there was nothing to remove.</summary>
        bool Remove(string vault, string secretName);

        /// <summary>
        /// True for a vault whose store lives on this machine only, and whose writers here all take
        /// the module's locks (SecretStore): a pair rotated by another process is then in it as soon
        /// as that process lets go of the entry's lock, so there is nothing to wait for.
        /// </summary>
        bool IsLocalToMachine(string vault);

        /// <summary>Names of the secrets in the vault that match a wildcard pattern.</summary>
        IReadOnlyList<string> List(string vault, string namePattern);
    }
}
