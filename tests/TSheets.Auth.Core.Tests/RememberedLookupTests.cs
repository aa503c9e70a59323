using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Operations;
using TSheets.Auth.Storage;
using Xunit;

namespace TSheets.Auth.Tests
{
    /// <summary>
    /// Every operation finds a connection in the vault it was saved in when -Vault is not given
    /// (session first, then that vault, then the CI token); -Vault wins; a vault that no longer holds
    /// it says so; Disconnect-TSheets removes it there and forgets it. Each "process" is a root of its
    /// own over one vault and one user data folder.
    /// </summary>
    public sealed class RememberedLookupTests : IDisposable
    {
        private readonly FakeClock clock = new FakeClock(Samples.Start);
        private readonly TempFolder data = new TempFolder();
        private readonly MemoryVault vault = new MemoryVault();
        private readonly FakeHandler server = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
        private readonly RecordingReporter report = new RecordingReporter();
        private string ciToken;

        public void Dispose() => data.Dispose();

        /// <summary>A new PowerShell process of the same user: a session of its own, the same vault and data folder.</summary>
        private TSheetsOperations NewProcess() => CoreSetup.Build(new CoreSettings
        {
            Environment = name => name == "TSHEETS_ACCESS_TOKEN" ? ciToken : null,
            Clock = clock,
            DataFolder = data.Path,
            Vault = vault,
            PrimaryHandler = server,
            ProcessFacts = () => new Interactive.InteractionFacts { UserInteractive = true },
        });

        private async Task Save(TSheetsOperations operations, string name, string inVault, string token = Samples.AccessToken)
        {
            var options = new SetTokenOptions
            {
                Name = name,
                Vault = inVault,
                AccessToken = SecureStrings.FromPlainText(token),
                RefreshToken = SecureStrings.FromPlainText(Samples.RefreshToken),
                ClientId = "client-id",
                ClientSecret = SecureStrings.FromPlainText("client-secret"),
                ExpiresOn = Samples.Start.AddDays(10),
            };
            await operations.ApplyAsync(operations.PlanSetToken(options), report, CancellationToken.None);
        }

        private Task<TSheetsToken> Get(TSheetsOperations operations, string name, string inVault = null) =>
            operations.GetTokenAsync(new ConnectionQuery { Name = name, Vault = inVault }, report, CancellationToken.None);

        [Fact]
        public async Task ANewProcessFindsTheConnectionInTheVaultItWasSavedInWithoutVault()
        {
            await Save(NewProcess(), "acme", "Ops");

            var token = await Get(NewProcess(), "acme");

            Assert.Equal("Ops", token.Vault);
            Assert.Equal(Samples.AccessToken, Samples.Plain(token.AccessToken));
            Assert.Equal(0, server.Calls);
        }

        [Fact]
        public async Task VaultWinsOverWhereItWasSaved()
        {
            await Save(NewProcess(), "acme", "Ops");

            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Get(NewProcess(), "acme", "Other"));

            Assert.Equal(ErrorIds.TokenNotFound, ex.ErrorId);
            Assert.Contains("vault 'Other'", ex.Message);
        }

        [Fact]
        public async Task AConnectionItsVaultNoLongerHoldsIsSaidSoWithTheCommandToSignInAgain()
        {
            await Save(NewProcess(), "acme", "Ops");
            vault.Remove("Ops", "TSheets.Auth.acme");

            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Get(NewProcess(), "acme"));

            Assert.Equal(ErrorIds.TokenNotFound, ex.ErrorId);
            Assert.Contains("was saved in vault 'Ops' and is no longer there", ex.Message);
            Assert.Contains("Connect-TSheets -Name 'acme' -Vault 'Ops' -ClientId 'client-id' -ClientSecret $secret", ex.Message);
            Assert.DoesNotContain("no TSheets connection named", ex.Message);
        }

        [Fact]
        public async Task TheSessionComesFirstAndTheCiTokenLast()
        {
            ciToken = "S.7__fromtheci0000000000000000000000000000";
            var process = NewProcess();
            Assert.Equal(ciToken, Samples.Plain((await Get(process, "default")).AccessToken));

            await Save(NewProcess(), "default", "Ops");
            Assert.Equal(Samples.AccessToken, Samples.Plain((await Get(NewProcess(), "default")).AccessToken));

            await Save(process, "default", null, Samples.NewAccessToken);
            Assert.Equal(Samples.NewAccessToken, Samples.Plain((await Get(process, "default")).AccessToken));
        }

        [Fact]
        public async Task StoringAgainWithoutVaultStoresInTheVaultItWasSavedIn()
        {
            await Save(NewProcess(), "acme", "Ops");

            var plan = NewProcess().PlanSetToken(new SetTokenOptions { Name = "acme", AccessToken = SecureStrings.FromPlainText(Samples.NewAccessToken) });
            Assert.Equal("Store the token in the session and vault 'Ops'", plan.Action);
            await Save(NewProcess(), "acme", null, Samples.NewAccessToken);

            Assert.Equal(Samples.NewAccessToken, Samples.Plain((await Get(NewProcess(), "acme")).AccessToken));
        }

        [Fact]
        public async Task DisconnectWithoutVaultRemovesItFromTheVaultItWasSavedInAndForgetsIt()
        {
            await Save(NewProcess(), "acme", "Ops");
            var operations = NewProcess();

            var plan = Assert.Single(operations.PlanDisconnect(new ConnectionQuery { Name = "acme" }));
            Assert.Equal("Remove from the session and vault 'Ops'", plan.Action);
            await operations.ApplyAsync(plan, report, CancellationToken.None);

            Assert.Empty(vault.List("Ops", "*"));
            Assert.Contains("Removed 'acme' from vault 'Ops' (the secret 'TSheets.Auth.acme'); new sessions no longer find it.", report.Information);
            Assert.Empty(operations.Parts.Repository.Remembered.All());
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Get(NewProcess(), "acme"));
            Assert.Contains("none was saved in a vault under that name", ex.Message);
        }

        [Fact]
        public async Task DisconnectForgetsAConnectionItsVaultNoLongerHolds()
        {
            await Save(NewProcess(), "acme", "Ops");
            vault.Remove("Ops", "TSheets.Auth.acme");
            var operations = NewProcess();

            await operations.ApplyAsync(Assert.Single(operations.PlanDisconnect(new ConnectionQuery { Name = "acme" })), report, CancellationToken.None);

            Assert.Contains("Removed 'acme': Vault 'Ops' held no secret 'TSheets.Auth.acme'; it is forgotten.", report.Information);
            Assert.Empty(operations.Parts.Repository.Remembered.All());
        }

        [Fact]
        public async Task APatternListsTheConnectionsSavedInAnyVault()
        {
            await Save(NewProcess(), "client-1", "Ops");
            await Save(NewProcess(), "client-2", "Shared");
            var operations = NewProcess();

            var queries = operations.ResolveNames(new ConnectionQuery { Name = "client-*" });

            Assert.Equal(new[] { "client-1", "client-2" }, queries.Select(q => q.Name));
            Assert.All(queries, q => Assert.True(q.Listed));
            var plans = operations.PlanDisconnect(new ConnectionQuery { Name = "client-*", Force = true });
            Assert.Equal(new[] { "Ops", "Shared" }, plans.Select(p => p.Vault));
        }

        [Fact]
        public async Task ASeveralVaultsPatternAsksNamingTheVaults()
        {
            await Save(NewProcess(), "client-1", "Ops");
            await Save(NewProcess(), "client-2", "Shared");

            var plans = NewProcess().PlanDisconnect(new ConnectionQuery { Name = "client-*", HostName = "ConsoleHost", HostHasUserInterface = true });

            Assert.All(plans, p => Assert.Equal("Remove 2 TSheets connections matching 'client-*' from the session and vaults 'Ops', 'Shared': client-1, client-2?", p.Question));
        }
    }
}
