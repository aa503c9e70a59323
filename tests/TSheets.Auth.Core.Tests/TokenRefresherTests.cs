using System;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.OAuth;
using TSheets.Auth.Reporting;
using TSheets.Auth.Storage;
using TSheets.Auth.Tokens;

namespace TSheets.Auth.Tests
{
    public class TokenRefresherTests : IDisposable
    {
        private readonly FakeClock clock = new FakeClock(Samples.Start);
        private readonly SessionStore store = new SessionStore();
        private readonly RecordingReporter report = new RecordingReporter();
        private readonly TempFolder locks = new TempFolder();

        public void Dispose() => locks.Dispose();

        private TokenRefresher Refresher(FakeHandler handler) =>
            new TokenRefresher(new ConnectionRepository(store, new MemoryVault(), clock, new LockFolder(locks.Path)), new TokenClient(HttpPipelines.Plain(PrimaryHandlers.Using(handler)), TimeSpan.FromSeconds(10)));

        private Connection Stored(TimeSpan lifetime, bool refreshable = true, string name = "default")
        {
            var connection = Samples.Connection(name, Samples.Start, lifetime, refresh: refreshable ? Samples.RefreshToken : null);
            store.Set(connection);
            return connection;
        }

        [Fact]
        public async Task ReturnsAValidTokenWithoutCallingTheServer()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            var stored = Stored(TimeSpan.FromDays(10));
            var connection = await Refresher(handler).GetAsync(new CallScope("DEFAULT", null, report, null, CancellationToken.None), RefreshMode.Auto);
            Assert.Same(stored, connection);
            Assert.Equal(0, handler.Calls);
            Assert.Empty(report.Verbose);
        }

        [Fact]
        public async Task RefreshesByPolicyStoresTheRotatedPairFirstAndSendsNoAccessToken()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            Stored(TimeSpan.FromDays(10));
            clock.Advance(TimeSpan.FromDays(6));

            var connection = await Refresher(handler).GetAsync(new CallScope("default", null, report, null, CancellationToken.None), RefreshMode.Auto);

            Assert.Equal(Samples.NewAccessToken, Samples.Plain(connection.AccessToken));
            Assert.Same(connection, store.Get("default"));
            Assert.Equal(Samples.NewRefreshToken, Samples.Plain(store.Get("default").RefreshToken));
            Assert.Equal(clock.UtcNow + TimeSpan.FromDays(10), store.Get("default").ExpiresOn);
            Assert.Equal(1, handler.Calls);
            Assert.Equal("grant_type=refresh_token&refresh_token=" + Samples.RefreshToken + "&client_id=client-id&client_secret=client-secret", handler.LastBody);
            Assert.Null(handler.LastRequest.Headers.Authorization);
            Assert.Equal("https://rest.tsheets.com/api/v1/grant", handler.LastRequest.RequestUri.AbsoluteUri);
            Assert.Contains(report.Verbose, v => v.Contains("Refreshed the token 'default'"));
        }

        [Fact]
        public async Task RefreshesWithBasicClientAuthenticationWhenTheConnectionSaysSo()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            store.Set(Samples.Connection("default", Samples.Start, TimeSpan.FromDays(10)) with { ClientAuthentication = ClientAuthentication.Basic });

            await Refresher(handler).GetAsync(new CallScope("default", null, report, null, CancellationToken.None), RefreshMode.Force);

            Assert.Equal("Basic", handler.LastRequest.Headers.Authorization.Scheme);
            Assert.Equal(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("client-id:client-secret")), handler.LastRequest.Headers.Authorization.Parameter);
            Assert.Equal("grant_type=refresh_token&refresh_token=" + Samples.RefreshToken, handler.LastBody);
            Assert.Equal(ClientAuthentication.Basic, store.Get("default").ClientAuthentication);
        }

        [Fact]
        public async Task KeepsTheOldRefreshTokenWhenTheAnswerHasNone()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson(refresh: null));
            Stored(TimeSpan.FromDays(10));
            var connection = await Refresher(handler).GetAsync(new CallScope("default", null, report, null, CancellationToken.None), RefreshMode.Force);
            Assert.Equal(Samples.NewAccessToken, Samples.Plain(connection.AccessToken));
            Assert.Equal(Samples.RefreshToken, Samples.Plain(connection.RefreshToken));
        }

        [Fact]
        public async Task NeverRefreshesWithNoRefresh()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            var stored = Stored(TimeSpan.FromDays(10));
            clock.Advance(TimeSpan.FromDays(9));
            Assert.Same(stored, await Refresher(handler).GetAsync(new CallScope("default", null, report, null, CancellationToken.None), RefreshMode.Never));
            Assert.Equal(0, handler.Calls);
        }

        [Fact]
        public async Task AFailedRefreshOfARefusedTokenIsAnErrorWithItsCauseAndKeepsThePair()
        {
            var handler = FakeHandler.Json(HttpStatusCode.ServiceUnavailable, "down");
            var stored = Stored(TimeSpan.FromDays(10));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Refresher(handler).GetAsync(new CallScope("default", null, report, null, CancellationToken.None), RefreshMode.Replace));
            Assert.Equal(ErrorIds.RefreshFailed, ex.ErrorId);
            Assert.Contains("(HTTP 401), and it could not be refreshed", ex.Message);
            Assert.Contains("(HTTP 503: down). Try again later.", ex.Message);
            Assert.Empty(report.Warnings);
            Assert.Equal(1, handler.Calls);
            Assert.Same(stored, store.Get("default"));
        }

        [Fact]
        public async Task AFailedRefreshOfAValidTokenReturnsItWithAWarningThatSaysItIsPassing()
        {
            var handler = FakeHandler.Json(HttpStatusCode.ServiceUnavailable, "down");
            var stored = Stored(TimeSpan.FromDays(10));
            clock.Advance(TimeSpan.FromDays(6));
            Assert.Same(stored, await Refresher(handler).GetAsync(new CallScope("default", null, report, null, CancellationToken.None), RefreshMode.Auto));
            Assert.Same(stored, store.Get("default"));
            var warning = Assert.Single(report.Warnings);
            Assert.Contains("could not be refreshed", warning);
            Assert.Contains("(HTTP 503: down). Try again later.", warning);
            Assert.Single(Regex.Matches(warning, "try again", RegexOptions.IgnoreCase));
        }

        [Theory]
        [InlineData(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid refresh token\"}", "refused for good", "Connect-TSheets")]
        [InlineData(400, "{\"error\":\"invalid_request\",\"error_description\":\"client authentication must only be provided using one mechanism\"}", "refused for good", "Connect-TSheets")]
        [InlineData(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Refresh token has expired\"}", "expire when unused for about two weeks", "Connect-TSheets")]
        [InlineData(400, "{\"error\":\"invalid_client\",\"error_description\":\"The client credentials are invalid\"}", "-ClientAuthentication", "client ID and secret")]
        [InlineData(404, "", "refused for good", "Connect-TSheets")]
        [InlineData(503, "down", "Try again", "HTTP 503")]
        public async Task AFailedRefreshOfAnExpiredTokenSaysWhetherItIsPermanentAndKeepsThePair(int status, string body, string advice, string more)
        {
            var handler = FakeHandler.Json((HttpStatusCode)status, body);
            var stored = Stored(TimeSpan.FromDays(10));
            clock.Advance(TimeSpan.FromDays(11));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Refresher(handler).GetAsync(new CallScope("default", null, report, null, CancellationToken.None), RefreshMode.Auto));
            Assert.Equal(ErrorIds.RefreshFailed, ex.ErrorId);
            Assert.Contains(advice, ex.Message);
            Assert.Contains(more, ex.Message);
            Assert.Single(Regex.Matches(ex.Message, Regex.Escape(advice), RegexOptions.IgnoreCase));
            Assert.IsType<TSheetsAuthException>(ex.InnerException);
            Assert.Same(stored, store.Get("default"));
        }

        [Fact]
        public async Task ReportsAMissingConnection()
        {
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Refresher(FakeHandler.Json(HttpStatusCode.OK, "{}")).GetAsync(new CallScope("nope", null, report, null, CancellationToken.None), RefreshMode.Auto));
            Assert.Equal(ErrorIds.TokenNotFound, ex.ErrorId);
            Assert.Equal("nope", ex.Target);
        }

        [Fact]
        public async Task ReportsAnExpiredWebUiTokenWithWhatToDo()
        {
            Stored(TimeSpan.FromDays(60), refreshable: false);
            clock.Advance(TimeSpan.FromDays(61));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Refresher(FakeHandler.Json(HttpStatusCode.OK, "{}")).GetAsync(new CallScope("default", null, report, null, CancellationToken.None), RefreshMode.Auto));
            Assert.Equal(ErrorIds.TokenExpired, ex.ErrorId);
            Assert.Contains("web UI", ex.Message);
        }

        [Fact]
        public async Task RefusesToForceARefreshWithoutRefreshToken()
        {
            Stored(TimeSpan.FromDays(60), refreshable: false);
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Refresher(FakeHandler.Json(HttpStatusCode.OK, "{}")).GetAsync(new CallScope("default", null, report, null, CancellationToken.None), RefreshMode.Force));
            Assert.Equal(ErrorIds.RefreshFailed, ex.ErrorId);
            Assert.Contains("no refresh token", ex.Message);
        }

        [Fact]
        public async Task ConcurrentCallersShareOneRefresh()
        {
            var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var handler = new FakeHandler(async (_, _, _) =>
            {
                await release.Task;
                return FakeHandler.Response(HttpStatusCode.OK, Samples.GrantJson());
            });
            Stored(TimeSpan.FromMinutes(3));
            clock.Advance(TimeSpan.FromMinutes(1));
            var refresher = Refresher(handler);

            var callers = Enumerable.Range(0, 64)
                .Select(_ => Task.Run(() => refresher.GetAsync(new CallScope("default", null, NullReporter.Instance, null, CancellationToken.None), RefreshMode.Auto)))
                .ToArray();
            await Samples.Until(() => refresher.Refreshes.Calls == 64, "all 64 callers asked");
            release.SetResult(true);
            var connections = await Task.WhenAll(callers);

            Assert.Equal(1, handler.Calls);
            Assert.All(connections, c => Assert.Equal(Samples.NewAccessToken, Samples.Plain(c.AccessToken)));
            Assert.Single(connections.Distinct());
        }

        [Fact]
        public async Task ConcurrentCallersShareOneFailure()
        {
            var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var handler = new FakeHandler(async (_, _, _) =>
            {
                await release.Task;
                return FakeHandler.Response(HttpStatusCode.BadRequest, "{\"error\":\"invalid_grant\"}");
            });
            Stored(TimeSpan.FromMinutes(3));
            clock.Advance(TimeSpan.FromMinutes(4));
            var refresher = Refresher(handler);

            var callers = Enumerable.Range(0, 16)
                .Select(_ => Task.Run(() => refresher.GetAsync(new CallScope("default", null, NullReporter.Instance, null, CancellationToken.None), RefreshMode.Auto)))
                .ToArray();
            await Samples.Until(() => refresher.Refreshes.Calls == 16, "all 16 callers asked");
            release.SetResult(true);
            foreach (var caller in callers)
            {
                var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => caller);
                Assert.Equal(ErrorIds.RefreshFailed, ex.ErrorId);
            }

            Assert.Equal(1, handler.Calls);
        }

        [Fact]
        public async Task ACancelledWaiterDoesNotLoseTheRotatedPair()
        {
            var arrived = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var handler = new FakeHandler(async (_, _, _) =>
            {
                arrived.SetResult(true);
                await release.Task;
                return FakeHandler.Response(HttpStatusCode.OK, Samples.GrantJson());
            });
            Stored(TimeSpan.FromDays(10));
            using var cancellation = new CancellationTokenSource();

            var waiter = Refresher(handler).GetAsync(new CallScope("default", null, report, null, cancellation.Token), RefreshMode.Force);
            await arrived.Task;
            cancellation.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);

            release.SetResult(true);
            await Samples.Until(() => Samples.Plain(store.Get("default").AccessToken) == Samples.NewAccessToken, "the rotated pair is stored");
            Assert.Equal(Samples.NewRefreshToken, Samples.Plain(store.Get("default").RefreshToken));
        }
    }
}
