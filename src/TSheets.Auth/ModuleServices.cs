using System.Threading;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// The object graph the cmdlets use, built once for the process's session store (tests that
    /// swap the store get a graph of their own): Core's pieces wired to the real HTTP client,
    /// clock, lock folder and SecretManagement.
    /// </summary>
    internal sealed class ModuleServices
    {
        private static readonly PrimaryHandlers Primaries = new PrimaryHandlers();
        private static ModuleServices current;

        private ModuleServices(SessionStore session)
        {
            Session = session;
            Repository = new ConnectionRepository(session, SecretManagementVault.Instance, SystemClock.Instance, LockFolder.Default);
            var client = new TokenClient(HttpPipelines.Plain(Primaries));
            Tokens = new TokenRefresher(Repository, client);
            SignIn = new SignIn(client, SystemClock.Instance);
            Api = new ApiClient(ApiPipelines.Compose(Primaries, Tokens, Pacer.Shared, SystemClock.Instance), Tokens, SystemClock.Instance);
        }

        public static ModuleServices Current
        {
            get
            {
                var session = SessionStore.Current;
                var services = Volatile.Read(ref current);
                if (services == null || !ReferenceEquals(services.Session, session))
                {
                    services = new ModuleServices(session);
                    Volatile.Write(ref current, services);
                }

                return services;
            }
        }

        public SessionStore Session { get; }

        public ConnectionRepository Repository { get; }

        public TokenRefresher Tokens { get; }

        public SignIn SignIn { get; }

        public ApiClient Api { get; }
    }
}
