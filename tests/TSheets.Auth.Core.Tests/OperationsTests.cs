using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Interactive;
using TSheets.Auth.Operations;
using TSheets.Auth.Storage;
using Xunit;

namespace TSheets.Auth.Tests
{
    /// <summary>
    /// Core through its door, as the cmdlets use it: one options object in, the result out, the
    /// checks made in Core, the clock and the host's facts injected by the test's own root.
    /// </summary>
    public sealed class OperationsTests : IDisposable
    {
        private readonly FakeClock clock = new FakeClock(Samples.Start);
        private readonly TempFolder data = new TempFolder();
        private readonly RecordingReporter report = new RecordingReporter();
        private readonly MemoryVault vault = new MemoryVault();
        private readonly FakeHandler server = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
        private string grantTimeout;
        private bool personAtTheKeyboard = true;

        public void Dispose() => data.Dispose();

        private TSheetsOperations Operations() => CoreSetup.Build(new CoreSettings
        {
            Environment = name => name == "TSHEETS_AUTH_GRANT_TIMEOUT_SEC" ? grantTimeout : null,
            Clock = clock,
            DataFolder = data.Path,
            Vault = vault,
            PrimaryHandler = server,
            ProcessFacts = () => new InteractionFacts { UserInteractive = personAtTheKeyboard },
        });

        private static SetTokenOptions Token(string token, DateTimeOffset? expiresOn, string name = "web") =>
            new SetTokenOptions { Name = name, AccessToken = SecureStrings.FromPlainText(token), ExpiresOn = expiresOn };

        [Fact]
        public void RefusesATokenThatIsNotAPlainTokenBeforeStoringAnything()
        {
            var operations = Operations();
            var ex = Assert.Throws<TSheetsAuthException>(() => operations.PlanSetToken(Token("S.7__pasted\r\nwrong", null)));
            Assert.Equal(ErrorIds.InvalidToken, ex.ErrorId);
            Assert.Empty(operations.Parts.Session.All());
        }

        [Fact]
        public void RefusesAnExpiredTokenThatCannotRefreshByTheInjectedClock()
        {
            var operations = Operations();
            var ex = Assert.Throws<TSheetsAuthException>(() => operations.PlanSetToken(Token("S.7__old", Samples.Start.AddMinutes(-1))));
            Assert.Equal(ErrorIds.TokenExpired, ex.ErrorId);
            clock.UtcNow = Samples.Start.AddMinutes(-2);
            Assert.Equal("TSheets connection 'web'", operations.PlanSetToken(Token("S.7__old", Samples.Start.AddMinutes(-1))).Target);
        }

        [Fact]
        public async Task PlansThenStoresAndTheTokenReadsTheInjectedClock()
        {
            var operations = Operations();
            var plan = operations.PlanSetToken(Token("S.7__web-ui-token", Samples.Start.AddDays(10)));
            Assert.Equal(("TSheets connection 'web'", "Store the token in the session"), (plan.Target, plan.Action));
            Assert.Empty(operations.Parts.Session.All());

            var token = await operations.ApplyAsync(plan, report, CancellationToken.None);
            Assert.Equal("web", token.Name);
            Assert.Equal("10d 0h", token.TimeLeft);
            clock.Advance(TimeSpan.FromDays(10));
            Assert.Equal("expired", token.TimeLeft);
            Assert.Contains(report.Verbose, line => line.StartsWith("Stored the token 'web' in the session", StringComparison.Ordinal));
            Assert.Equal("S.7__web-ui-token", Samples.Plain(operations.Parts.Session.Get("web").AccessToken));
        }

        [Fact]
        public async Task SignsInFromARefreshTokenStoresItAndSaysWhereItIsConnected()
        {
            var operations = Operations();
            var options = new SignInOptions { Name = "acme", ClientId = "client-id", ClientSecret = SecureStrings.FromPlainText("client-secret"), RefreshToken = SecureStrings.FromPlainText(Samples.RefreshToken), Vault = "Ops" };
            var token = await operations.SignInAsync(options, report, null, CancellationToken.None);
            Assert.Equal(("acme", "Ops", true), (token.Name, token.Vault, token.CanRefresh));
            Assert.Contains(report.Information, line => line.StartsWith("Connected 'acme' to TSheets as user 12345 of acmeco", StringComparison.Ordinal) && line.EndsWith("Saved in vault 'Ops'.", StringComparison.Ordinal));
            Assert.Equal(1, vault.Writes);
            Assert.Equal("grant_type=refresh_token&refresh_token=" + Samples.RefreshToken + "&client_id=client-id&client_secret=client-secret", server.LastBody);
        }

        [Fact]
        public async Task FindsNoConnectionAsTokenNotFound()
        {
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Operations().GetTokenAsync(new ConnectionQuery { Name = "nope" }, report, CancellationToken.None));
            Assert.Equal(ErrorIds.TokenNotFound, ex.ErrorId);
        }

        [Fact]
        public async Task WarnsOnceAboutAGrantTimeoutThatIsNotOne()
        {
            grantTimeout = "soon";
            var operations = Operations();
            await operations.ApplyAsync(operations.PlanSetToken(Token("S.7__a", null, "a")), report, CancellationToken.None);
            await operations.GetTokenAsync(new ConnectionQuery { Name = "a" }, report, CancellationToken.None);
            await operations.GetTokenAsync(new ConnectionQuery { Name = "a" }, report, CancellationToken.None);
            Assert.Single(report.Warnings, w => w.Contains("TSHEETS_AUTH_GRANT_TIMEOUT_SEC", StringComparison.Ordinal) && w.Contains("'soon'", StringComparison.Ordinal));
        }

        [Fact]
        public async Task AsksBeforeAPatternRemovesSeveralVaultConnectionsAndRemovesNothingWhereNoOneCanAnswer()
        {
            var operations = Operations();
            foreach (var name in new[] { "client-1", "client-2" })
            {
                var plan = operations.PlanSetToken(new SetTokenOptions { Name = name, Vault = "Ops", AccessToken = SecureStrings.FromPlainText("S.7__" + name) });
                await operations.ApplyAsync(plan, report, CancellationToken.None);
            }

            var asked = operations.PlanDisconnect(new ConnectionQuery { Name = "client-*", Vault = "Ops", HostName = "ConsoleHost", HostHasUserInterface = true });
            Assert.Equal(new[] { "client-1", "client-2" }, asked.Select(p => p.Target.Split('\'')[1]));
            Assert.All(asked, p => Assert.Equal("Remove 2 TSheets connections matching 'client-*' from the session and vault 'Ops': client-1, client-2?", p.Question));
            Assert.All(operations.PlanDisconnect(new ConnectionQuery { Name = "client-*", Vault = "Ops", Force = true }), p => Assert.Null(p.Question));

            personAtTheKeyboard = false;
            var ex = Assert.Throws<TSheetsAuthException>(() => Operations().PlanDisconnect(new ConnectionQuery { Name = "client-*", Vault = "Ops", HostName = "ConsoleHost", HostHasUserInterface = true }));
            Assert.Equal(ErrorIds.InteractionRequired, ex.ErrorId);
            Assert.Equal(2, vault.List("Ops", "*").Count);
        }

        [Fact]
        public async Task RemovesWhatAPlanNamesAndSaysWhereToRevokeIt()
        {
            var operations = Operations();
            await operations.ApplyAsync(operations.PlanSetToken(Token("S.7__gone", null, "gone")), report, CancellationToken.None);
            var plan = Assert.Single(operations.PlanDisconnect(new ConnectionQuery { Name = "gone" }));
            Assert.Null(await operations.ApplyAsync(plan, report, CancellationToken.None));
            Assert.Null(operations.Parts.Session.Get("gone"));
            Assert.Contains("Removed 'gone' from this session.", report.Information);
            Assert.Contains(report.Verbose, line => line.StartsWith("TSheets has no way to revoke a token", StringComparison.Ordinal));
            var again = await Assert.ThrowsAsync<TSheetsAuthException>(() => operations.ApplyAsync(plan, report, CancellationToken.None));
            Assert.Equal(ErrorIds.TokenNotFound, again.ErrorId);
        }

        [Fact]
        public async Task ListingByAPatternShowsATokenThatCannotBeUsedWithAWarningInsteadOfHidingIt()
        {
            var operations = Operations();
            await operations.ApplyAsync(operations.PlanSetToken(Token("S.7__webui", Samples.Start.AddMinutes(1), "web-1")), report, CancellationToken.None);
            await operations.ApplyAsync(operations.PlanSetToken(Token("S.7__fresh", Samples.Start.AddDays(1), "web-2")), report, CancellationToken.None);
            clock.Advance(TimeSpan.FromMinutes(2));

            var listed = new List<TSheetsToken>();
            foreach (var query in operations.ResolveNames(new ConnectionQuery { Name = "web-*" }))
            {
                listed.Add(await operations.GetTokenAsync(query, report, CancellationToken.None));
            }

            Assert.Equal(new[] { "web-1", "web-2" }, listed.Select(t => t.Name));
            Assert.Contains(report.Warnings, w => w.StartsWith("The token 'web-1' expired on", StringComparison.Ordinal));
            var alone = await Assert.ThrowsAsync<TSheetsAuthException>(() => operations.GetTokenAsync(new ConnectionQuery { Name = "web-1" }, report, CancellationToken.None));
            Assert.Equal(ErrorIds.TokenExpired, alone.ErrorId);
        }

        [Fact]
        public async Task NoRefreshOnAnExpiredTokenThatCouldRefreshSaysSoNotThatCredentialsAreMissing()
        {
            var operations = Operations();
            var options = new SetTokenOptions
            {
                Name = "acme",
                AccessToken = SecureStrings.FromPlainText(Samples.AccessToken),
                RefreshToken = SecureStrings.FromPlainText(Samples.RefreshToken),
                ClientId = "client-id",
                ClientSecret = SecureStrings.FromPlainText("client-secret"),
                ExpiresOn = Samples.Start.AddMinutes(1),
            };
            await operations.ApplyAsync(operations.PlanSetToken(options), report, CancellationToken.None);
            clock.Advance(TimeSpan.FromMinutes(2));

            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => operations.GetTokenAsync(new ConnectionQuery { Name = "acme", NoRefresh = true }, report, CancellationToken.None));

            Assert.Equal(ErrorIds.TokenExpired, ex.ErrorId);
            Assert.Contains("it can be refreshed, but -NoRefresh was given", ex.Message);
            Assert.DoesNotContain("without the app's client ID and secret", ex.Message);
            Assert.Equal(0, server.Calls);
        }
    }
}
