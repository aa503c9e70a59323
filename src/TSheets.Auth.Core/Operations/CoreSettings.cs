#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Net.Http;
using TSheets.Auth.Common;
using TSheets.Auth.Interactive;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Operations
{
    /// <summary>
    /// What the composition root (<see cref="CoreSetup"/>) is given: the facts of the host and the
    /// seams it cannot make itself. The cmdlet assembly sets the first three; tests set what they fake.
    /// </summary>
    internal sealed class CoreSettings
    {
        /// <summary>Reads an environment variable (null when unset); the only way Core sees the environment.</summary>
        public Func<string, string> Environment { get; set; } = System.Environment.GetEnvironmentVariable;

        /// <summary>PSHOME of the PowerShell the module runs in, for a vault call in a child PowerShell; null: none.</summary>
        public string PowerShellHome { get; set; }

        /// <summary>Makes SecretManagement's plain calls, given how long one call may take (the root decides).</summary>
        public Func<TimeSpan, IRawVault> VaultBridge { get; set; }

        /// <summary>Tests: the time and waits (default: the system clock).</summary>
        public IClock Clock { get; set; }

        /// <summary>Tests: the module's own data folder, for locks and sign-in pages (default: <see cref="PrivateFolder.UserData"/>).</summary>
        public string DataFolder { get; set; }

        /// <summary>Tests: the handler that answers every request, under the proxy decisions with no system proxy (default: one real handler per network settings).</summary>
        public HttpMessageHandler PrimaryHandler { get; set; }

        /// <summary>Tests: a vault store used as it is, instead of SecretManagement behind the SecretStore policy.</summary>
        public IVaultStore Vault { get; set; }

        /// <summary>Tests: the process's connections (default: a new store, the one of this process).</summary>
        public SessionStore Session { get; set; }

        /// <summary>Tests: how a URL is opened (default: the BROWSER variable, else the system's opener).</summary>
        public IBrowserLauncher Browser { get; set; }

        /// <summary>Tests: this process's id in the shared pacing book (another value stands for another process).</summary>
        public int? ProcessId { get; set; }

        /// <summary>Tests: the facts of this process beside the host's (default: read from the process).</summary>
        public Func<InteractionFacts> ProcessFacts { get; set; }
    }
}
