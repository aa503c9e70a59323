using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace TSheets.Auth.Tests
{
    public class TokenServiceTests
    {
        private static readonly DateTimeOffset Start = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

        private readonly FakeClock clock = new FakeClock(Start);
        private readonly SessionStore store = new SessionStore();

        private TokenService Service(FakeHandler handler) =>
            new TokenService(store, new TokenClient(new HttpTransport(handler), TimeSpan.FromSeconds(10)), clock);

        private Connection Stored(TimeSpan lifetime, bool refreshable = true, string name = "default")
        {
            var connection = new Connection(
                name,
                SecureStrings.FromPlainText(Samples.AccessToken),
                refreshable ? SecureStrings.FromPlainText(Samples.RefreshToken) : null,
                Start,
                Start + lifetime,
                "client-id",
                SecureStrings.FromPlainText("client-secret"),
                Samples.BaseUri);
            store.Set(connection);
            return connection;
        }

        private static string Plain(Connection c) => SecureStrings.ToPlainText(c.AccessToken);

        [Fact]
        public async Task ReturnsAValidTokenWithoutCallingTheServer()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            var stored = Stored(TimeSpan.FromDays(10));
            var lookup = await Service(handler).GetAsync("DEFAULT", RefreshMode.Auto, CancellationToken.None);
            Assert.Same(stored, lookup.Connection);
            Assert.False(lookup.Refreshed);
            Assert.Equal(0, handler.Calls);
        }

        [Fact]
        public async Task RefreshesByPolicyAndStoresTheRotatedPairFirst()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            Stored(TimeSpan.FromDays(10));
            clock.Advance(TimeSpan.FromDays(6));

            var lookup = await Service(handler).GetAsync("default", RefreshMode.Auto, CancellationToken.None);

            Assert.True(lookup.Refreshed);
            Assert.Equal(Samples.NewAccessToken, Plain(lookup.Connection));
            Assert.Same(lookup.Connection, store.Get("default"));
            Assert.Equal(Samples.NewRefreshToken, SecureStrings.ToPlainText(store.Get("default").RefreshToken));
            Assert.Equal(clock.UtcNow + TimeSpan.FromDays(10), store.Get("default").ExpiresOn);
            Assert.Equal(1, handler.Calls);
            Assert.Contains("grant_type=refresh_token", handler.LastBody);
            Assert.Contains("refresh_token=" + Samples.RefreshToken, handler.LastBody);
            Assert.Contains("client_secret=client-secret", handler.LastBody);
            Assert.Equal("Bearer", handler.LastRequest.Headers.Authorization.Scheme);
            Assert.Equal("https://rest.tsheets.com/api/v1/grant", handler.LastRequest.RequestUri.AbsoluteUri);
        }

        [Fact]
        public async Task KeepsTheOldRefreshTokenWhenTheAnswerHasNone()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson(refresh: null));
            Stored(TimeSpan.FromDays(10));
            var lookup = await Service(handler).GetAsync("default", RefreshMode.Force, CancellationToken.None);
            Assert.Equal(Samples.NewAccessToken, Plain(lookup.Connection));
            Assert.Equal(Samples.RefreshToken, SecureStrings.ToPlainText(lookup.Connection.RefreshToken));
        }

        [Fact]
        public async Task NeverRefreshesWithNoRefresh()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            var stored = Stored(TimeSpan.FromDays(10));
            clock.Advance(TimeSpan.FromDays(9));
            var lookup = await Service(handler).GetAsync("default", RefreshMode.Never, CancellationToken.None);
            Assert.Same(stored, lookup.Connection);
            Assert.Equal(0, handler.Calls);
        }

        [Fact]
        public async Task AFailedRefreshOfAValidTokenReturnsItWithAWarning()
        {
            var handler = FakeHandler.Json(HttpStatusCode.ServiceUnavailable, "down");
            var stored = Stored(TimeSpan.FromDays(10));
            clock.Advance(TimeSpan.FromDays(6));
            var lookup = await Service(handler).GetAsync("default", RefreshMode.Auto, CancellationToken.None);
            Assert.Same(stored, lookup.Connection);
            Assert.Same(stored, store.Get("default"));
            Assert.Contains("could not be refreshed", lookup.Warning);
        }

        [Fact]
        public async Task AFailedRefreshOfAnExpiredTokenIsAnErrorAndKeepsTheStoredPair()
        {
            var handler = FakeHandler.Json(HttpStatusCode.BadRequest, "{\"error\":\"invalid_grant\",\"error_description\":\"The refresh token is invalid\"}");
            var stored = Stored(TimeSpan.FromDays(10));
            clock.Advance(TimeSpan.FromDays(11));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Service(handler).GetAsync("default", RefreshMode.Auto, CancellationToken.None));
            Assert.Equal(ErrorIds.RefreshFailed, ex.ErrorId);
            Assert.Equal(ErrorIds.GrantFailed, ((TSheetsAuthException)ex.InnerException).ErrorId);
            Assert.Contains("Connect-TSheets", ex.Message);
            Assert.Same(stored, store.Get("default"));
        }

        [Fact]
        public async Task ReportsAMissingConnection()
        {
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Service(FakeHandler.Json(HttpStatusCode.OK, "{}")).GetAsync("nope", RefreshMode.Auto, CancellationToken.None));
            Assert.Equal(ErrorIds.TokenNotFound, ex.ErrorId);
            Assert.Equal("nope", ex.Target);
        }

        [Fact]
        public async Task ReportsAnExpiredWebUiTokenWithWhatToDo()
        {
            Stored(TimeSpan.FromDays(60), refreshable: false);
            clock.Advance(TimeSpan.FromDays(61));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Service(FakeHandler.Json(HttpStatusCode.OK, "{}")).GetAsync("default", RefreshMode.Auto, CancellationToken.None));
            Assert.Equal(ErrorIds.TokenExpired, ex.ErrorId);
            Assert.Contains("web UI", ex.Message);
        }

        [Fact]
        public async Task RefusesToForceARefreshWithoutRefreshToken()
        {
            Stored(TimeSpan.FromDays(60), refreshable: false);
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Service(FakeHandler.Json(HttpStatusCode.OK, "{}")).GetAsync("default", RefreshMode.Force, CancellationToken.None));
            Assert.Equal(ErrorIds.RefreshFailed, ex.ErrorId);
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
            var service = Service(handler);

            var callers = Enumerable.Range(0, 64)
                .Select(_ => Task.Run(() => service.GetAsync("default", RefreshMode.Auto, CancellationToken.None)))
                .ToArray();
            await Task.Delay(1000);   // every caller has asked (generous: the machine may be busy)
            release.SetResult(true);
            var lookups = await Task.WhenAll(callers);

            Assert.Equal(1, handler.Calls);
            Assert.All(lookups, l => Assert.Equal(Samples.NewAccessToken, Plain(l.Connection)));
            Assert.Single(lookups.Select(l => l.Connection).Distinct());
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
            var service = Service(handler);

            var callers = Enumerable.Range(0, 16)
                .Select(_ => Task.Run(() => service.GetAsync("default", RefreshMode.Auto, CancellationToken.None)))
                .ToArray();
            await Task.Delay(1000);
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
            var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var handler = new FakeHandler(async (_, _, _) =>
            {
                await release.Task;
                return FakeHandler.Response(HttpStatusCode.OK, Samples.GrantJson());
            });
            Stored(TimeSpan.FromDays(10));
            var service = Service(handler);
            using var cancellation = new CancellationTokenSource();

            var waiter = service.GetAsync("default", RefreshMode.Force, cancellation.Token);
            await Task.Delay(100);
            cancellation.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);

            release.SetResult(true);
            for (var i = 0; i < 100 && Plain(store.Get("default")) != Samples.NewAccessToken; i++)
            {
                await Task.Delay(20);
            }

            Assert.Equal(Samples.NewAccessToken, Plain(store.Get("default")));
            Assert.Equal(Samples.NewRefreshToken, SecureStrings.ToPlainText(store.Get("default").RefreshToken));
        }

        [Fact]
        public async Task ExchangesACodeAndStoresTheConnection()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            var service = Service(handler);
            var connection = await service.ConnectWithCodeAsync(
                "acme", "client-id", SecureStrings.FromPlainText("client-secret"), new Uri("https://app.example/cb"), "S.19__code", Samples.BaseUri, CancellationToken.None);
            Assert.Null(store.Get("acme"));
            service.Save(connection, null, out _);

            Assert.True(store.Get("acme").HasSameTokens(connection));
            Assert.Equal("12345", connection.UserId);
            Assert.True(connection.CanRefresh);
            Assert.Equal(Start, connection.IssuedOn);
            Assert.Equal("grant_type=authorization_code&client_id=client-id&client_secret=client-secret&code=S.19__code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb", handler.LastBody);
            Assert.Equal("application/x-www-form-urlencoded", handler.LastRequest.Content.Headers.ContentType.MediaType);
            Assert.Null(handler.LastRequest.Headers.Authorization);
        }

        [Fact]
        public async Task AFailedConnectLeavesTheStoredConnectionAlone()
        {
            var stored = Stored(TimeSpan.FromDays(10), name: "acme");
            var handler = FakeHandler.Json(HttpStatusCode.BadRequest, "{\"error\":\"invalid_grant\"}");
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Service(handler).ConnectWithCodeAsync(
                "acme", "client-id", SecureStrings.FromPlainText("client-secret"), new Uri("https://app.example/cb"), "S.19__code", Samples.BaseUri, CancellationToken.None));
            Assert.Equal(ErrorIds.GrantFailed, ex.ErrorId);
            Assert.Same(stored, store.Get("acme"));
        }

        [Fact]
        public async Task ConnectsFromARefreshTokenAndKeepsItWhenNotRotated()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson(refresh: null));
            var connection = await Service(handler).ConnectWithRefreshTokenAsync(
                "default", "client-id", SecureStrings.FromPlainText("client-secret"), SecureStrings.FromPlainText(Samples.RefreshToken), Samples.BaseUri, CancellationToken.None);
            Assert.Equal(Samples.RefreshToken, SecureStrings.ToPlainText(connection.RefreshToken));
            Assert.Null(handler.LastRequest.Headers.Authorization);
        }

        [Fact]
        public async Task RefusesAnEmptyClientSecretBeforeSendingAnything()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Service(handler).ConnectWithCodeAsync(
                "default", "client-id", SecureStrings.FromPlainText("  "), new Uri("https://app.example/cb"), "S.19__code", Samples.BaseUri, CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidClient, ex.ErrorId);
            Assert.Equal(0, handler.Calls);
        }
    }
}
