#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Globalization;
using System.Linq;
using TSheets.Auth.Api;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.Interactive;
using TSheets.Auth.OAuth;
using TSheets.Auth.Storage;
using TSheets.Auth.Tokens;

namespace TSheets.Auth.Operations
{
    /// <summary>
    /// The one composition root: every piece of Core made once, wired to the clock, the
    /// environment, the vault, the lock folder and the network it is given, and handed to the
    /// facade. The cmdlet assembly builds it once per process, at first use; tests build their own.
    /// </summary>
    internal static class CoreSetup
    {
        /// <summary>Test knob (undocumented for users): seconds one SecretManagement call may take, 1 to 3600 (default 60).</summary>
        public const string VaultCallTimeoutVariable = "TSHEETS_AUTH_VAULT_CALL_TIMEOUT_SEC";

        /// <summary>Test knob (undocumented for users): seconds a SecretStore change waits for the store lock, 1 to 3600 (default 75).</summary>
        public const string StoreLockTimeoutVariable = "TSHEETS_AUTH_STORE_LOCK_TIMEOUT_SEC";

        /// <summary>How long one vault call may take, unless a test says otherwise.</summary>
        public static readonly TimeSpan DefaultVaultCallTimeout = TimeSpan.FromSeconds(60);

        /// <summary>Longer than two child-process calls take at the most (each is killed after 30 s).</summary>
        public static readonly TimeSpan DefaultStoreLockTimeout = TimeSpan.FromSeconds(75);

        public static TSheetsOperations Build(CoreSettings settings)
        {
            var environment = settings.Environment ?? throw new ArgumentException("The environment reader is required.", nameof(settings));
            var clock = settings.Clock ?? SystemClock.Instance;
            var session = settings.Session ?? new SessionStore();
            var data = settings.DataFolder == null ? PrivateFolder.UserData() : PrivateFolder.At(settings.DataFolder);
            var locks = new LockFolder(data.Child("locks"));
            var grantTimeout = new GrantTimeout(() => environment(GrantTimeout.Variable));
            var environmentToken = new EnvironmentToken(environment);
            var vaults = settings.Vault ?? Vaults(settings, environment, locks, clock);
            var remembered = new RememberedConnections(data, clock);
            var repository = new ConnectionRepository(session, vaults, clock, locks, environmentToken, remembered);
            var primaries = settings.PrimaryHandler == null ? new PrimaryHandlers() : PrimaryHandlers.Using(settings.PrimaryHandler);
            var tokenClient = new TokenClient(HttpPipelines.Plain(primaries), grantTimeout);
            var tokens = new TokenRefresher(repository, tokenClient);
            var pacer = new Pacer(clock, () => environment(RateLimit.Variable), new SharedPaceBook(locks, settings.ProcessId ?? ThisProcess.Id), settings.ProcessId);
            return new TSheetsOperations(new CoreParts
            {
                // The proxy passwords too: the primary handlers hold them for the process.
                Redactor = new Redactor(() => session.Secrets().Concat(new[] { environmentToken.Text() }).Concat(primaries.Secrets())),
                Clock = clock,
                Environment = environment,
                Repository = repository,
                Tokens = tokens,
                SignIn = new SignIn(tokenClient, clock),
                Api = new ApiClient(ApiPipelines.Compose(primaries, tokens, pacer, clock), tokens, clock),
                Browser = settings.Browser ?? new SystemBrowserLauncher(environment, data),
                GrantTimeout = grantTimeout,
                ProcessFacts = settings.ProcessFacts ?? (() => InteractionFacts.OfThisProcess(null, false, false, environment)),
            });
        }

        /// <summary>SecretManagement behind the SecretStore policy, or none when the host gave no bridge.</summary>
        private static SecretStoreVault Vaults(CoreSettings settings, Func<string, string> environment, LockFolder locks, IClock clock)
        {
            if (settings.VaultBridge == null)
            {
                return null;
            }

            var callTimeout = Seconds(environment(VaultCallTimeoutVariable)) ?? DefaultVaultCallTimeout;
            var storeLockTimeout = Seconds(environment(StoreLockTimeoutVariable)) ?? DefaultStoreLockTimeout;
            return new SecretStoreVault(settings.VaultBridge(callTimeout), new VaultChildProcess(settings.PowerShellHome), locks, clock, storeLockTimeout);
        }

        private static TimeSpan? Seconds(string text) =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds >= 1 && seconds <= 3600 ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
    }

    /// <summary>Core's pieces as the root wired them, for the facade (and tests that look inside).</summary>
    internal sealed class CoreParts
    {
        public IClock Clock { get; init; }

        public Func<string, string> Environment { get; init; }

        public ConnectionRepository Repository { get; init; }

        public SessionStore Session => Repository.Session;

        public TokenRefresher Tokens { get; init; }

        public SignIn SignIn { get; init; }

        public ApiClient Api { get; init; }

        public IBrowserLauncher Browser { get; init; }

        public Func<InteractionFacts> ProcessFacts { get; init; }

        /// <summary>Each /grant call's timeout, and the warning about a setting that is not one.</summary>
        public GrantTimeout GrantTimeout { get; init; }

        /// <summary>Masks the secrets in play: the session's, the CI token and the proxy passwords.</summary>
        public Redactor Redactor { get; init; }

        /// <summary>The proxy variables' values already warned about (each once per process).</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<string, bool> Warned { get; } = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
    }
}
