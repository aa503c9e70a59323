using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Operations;
using Xunit;

namespace TSheets.Auth.Tests
{
    /// <summary>
    /// Get-TSheetsConnection's facts and advice, through the door, by the injected clock: never a
    /// request, never a refresh, never a connection loaded into the session.
    /// </summary>
    public sealed class ConnectionStatusTests : IDisposable
    {
        private readonly FakeClock clock = new FakeClock(Samples.Start);
        private readonly TempFolder data = new TempFolder();
        private readonly MemoryVault vault = new MemoryVault();
        private readonly FakeHandler server = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
        private readonly RecordingReporter report = new RecordingReporter();
        private string ciToken;

        public void Dispose() => data.Dispose();

        private TSheetsOperations NewProcess() => CoreSetup.Build(new CoreSettings
        {
            Environment = name => name == "TSHEETS_ACCESS_TOKEN" ? ciToken : null,
            Clock = clock,
            DataFolder = data.Path,
            Vault = vault,
            PrimaryHandler = server,
        });

        private async Task Save(TSheetsOperations operations, string name, string inVault, bool refreshable = true, bool credentials = true, TimeSpan? lifetime = null)
        {
            var options = new SetTokenOptions
            {
                Name = name,
                Vault = inVault,
                AccessToken = SecureStrings.FromPlainText(Samples.AccessToken),
                RefreshToken = refreshable ? SecureStrings.FromPlainText(Samples.RefreshToken) : null,
                ClientId = credentials ? "client-id" : null,
                ClientSecret = credentials ? SecureStrings.FromPlainText("client-secret") : null,
                ExpiresOn = clock.UtcNow + (lifetime ?? TimeSpan.FromDays(10)),
            };
            await operations.ApplyAsync(operations.PlanSetToken(options), report, CancellationToken.None);
        }

        private static TSheetsConnection Only(TSheetsOperations operations, string name) =>
            Assert.Single(operations.ListConnections(new ConnectionQuery { Name = name }));

        [Fact]
        public async Task ListsTheSessionTheVaultsAndTheCiTokenWithoutLoadingOrRefreshingAnything()
        {
            ciToken = "S.7__fromtheci0000000000000000000000000000";
            await Save(NewProcess(), "acme", "Ops");
            var operations = NewProcess();
            await Save(operations, "web", null, refreshable: false, credentials: false);

            var all = operations.ListConnections(new ConnectionQuery { Name = "*" });

            Assert.Equal(new[] { "acme", "default", "web" }, all.Select(c => c.Name));
            Assert.Equal(new[] { ConnectionSource.Vault, ConnectionSource.Environment, ConnectionSource.Session }, all.Select(c => c.Source));
            Assert.Equal("Ops", all[0].Vault);
            Assert.False(all[0].InSession);
            Assert.Null(operations.Parts.Session.Get("acme"));
            Assert.Equal(TimeSpan.FromDays(10), all[0].TimeLeft);
            Assert.True(all[0].CanRefresh);
            Assert.Null(all[0].Problem);
            Assert.False(all[1].CanRefresh);
            Assert.Contains("CI token", all[1].CannotRefreshBecause);
            Assert.Equal(0, server.Calls);
        }

        [Fact]
        public async Task AConnectionItsVaultNoLongerHoldsHasTheCommandToSignInAgain()
        {
            await Save(NewProcess(), "acme", "Ops");
            vault.Remove("Ops", "TSheets.Auth.acme");

            var status = Only(NewProcess(), "acme");

            Assert.Contains("no longer holds it", status.Problem);
            Assert.StartsWith("Sign in again: Connect-TSheets -Name 'acme' -Vault 'Ops' -ClientId 'client-id'", status.Advice);
            Assert.False(status.CanRefresh);
        }

        [Fact]
        public async Task AVaultThatFailsIsAProblemOfItsConnectionNotAnError()
        {
            await Save(NewProcess(), "acme", "Ops");
            vault.FailWith = "the store is locked";

            var status = Only(NewProcess(), "acme");

            Assert.Contains("could not be read: the store is locked", status.Problem);
            Assert.Contains("Unlock-SecretStore", status.Advice);
        }

        [Fact]
        public async Task AnExpiredTokenThatCannotRefreshSaysWhyAndWhatToRun()
        {
            var operations = NewProcess();
            await Save(operations, "web", null, refreshable: false, credentials: false, lifetime: TimeSpan.FromDays(1));
            await Save(operations, "nocreds", null, credentials: false, lifetime: TimeSpan.FromDays(1));
            clock.Advance(TimeSpan.FromDays(2));

            var web = Only(operations, "web");
            Assert.Equal(TimeSpan.Zero, web.TimeLeft);
            Assert.Contains("expired on", web.Problem);
            Assert.Contains("no refresh token", web.CannotRefreshBecause);
            Assert.Contains("Set-TSheetsToken -Name 'web'", web.Advice);

            var noCredentials = Only(operations, "nocreds");
            Assert.Contains("client ID and secret are not stored", noCredentials.CannotRefreshBecause);
            Assert.Contains("Connect-TSheets -Name 'nocreds'", noCredentials.Advice);
        }

        [Fact]
        public async Task AnExpiredTokenThatCanRefreshIsNoProblem()
        {
            var operations = NewProcess();
            await Save(operations, "acme", null, lifetime: TimeSpan.FromHours(1));
            clock.Advance(TimeSpan.FromHours(2));

            Assert.Null(Only(operations, "acme").Problem);
            Assert.Equal(0, server.Calls);
        }

        [Theory]
        [InlineData(9, null)]
        [InlineData(11, "dies in about 3 days unless it is used")]
        [InlineData(15, "most likely dead")]
        public async Task TheRefreshTokenAgeIsTakenAgainstItsTwoWeeks(int days, string said)
        {
            var operations = NewProcess();
            // A sign-in knows when its pair was issued (a token given to Set-TSheetsToken does not).
            await operations.SignInAsync(
                new SignInOptions { Name = "acme", Vault = "Ops", ClientId = "client-id", ClientSecret = SecureStrings.FromPlainText("client-secret"), RefreshToken = SecureStrings.FromPlainText(Samples.RefreshToken) },
                report,
                null,
                CancellationToken.None);
            clock.Advance(TimeSpan.FromDays(days));

            var status = Only(operations, "acme");

            Assert.Equal(TimeSpan.FromDays(days), status.RefreshTokenAge);
            Assert.Equal(Samples.Start, status.LastRefreshed);
            if (said == null)
            {
                Assert.Null(status.Problem);
            }
            else
            {
                Assert.Contains(said, status.Problem);
                Assert.NotNull(status.Advice);
            }
        }

        [Fact]
        public void APlainNameThatMatchesNothingIsTokenNotFoundAndAPatternIsNothing()
        {
            var operations = NewProcess();
            Assert.Equal(ErrorIds.TokenNotFound, Assert.Throws<TSheetsAuthException>(() => operations.ListConnections(new ConnectionQuery { Name = "nobody" })).ErrorId);
            Assert.Empty(operations.ListConnections(new ConnectionQuery { Name = "nobody*" }));
        }
    }
}
