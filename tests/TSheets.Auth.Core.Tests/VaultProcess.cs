using System;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.OAuth;
using TSheets.Auth.Storage;
using TSheets.Auth.Tokens;

namespace TSheets.Auth.Tests
{
    /// <summary>
    /// One process sharing a vault entry, simulated in the test process: its own session store and its
    /// own view of the vault (caching like SecretStore, when asked) over one backing store, a lock folder
    /// per machine, and a clock (the real one unless a test gives its own).
    /// </summary>
    internal sealed class VaultProcess
    {
        public const string VaultName = "Ops";

        public VaultProcess(VaultBacking backing, string lockFolder, bool cachesPerProcess, FakeHandler handler, IClock clock = null)
        {
            Vault = new MemoryVault(backing) { CachesPerProcess = cachesPerProcess };
            Session = new SessionStore();
            Repository = new ConnectionRepository(Session, Vault, clock ?? SystemClock.Instance, new LockFolder(lockFolder));
            Refresher = new TokenRefresher(Repository, new TokenClient(HttpPipelines.Plain(PrimaryHandlers.Using(handler)), TimeSpan.FromSeconds(10)));
        }

        public MemoryVault Vault { get; }

        public SessionStore Session { get; }

        public ConnectionRepository Repository { get; }

        public TokenRefresher Refresher { get; }

        public RecordingReporter Report { get; } = new RecordingReporter();

        public Task<Connection> GetAsync(RefreshMode mode, string name) => Refresher.GetAsync(new CallScope(name, VaultName, Report, null, CancellationToken.None), mode);
    }
}
