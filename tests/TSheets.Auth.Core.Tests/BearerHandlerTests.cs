using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using TSheets.Auth.Api;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.OAuth;
using TSheets.Auth.Storage;
using TSheets.Auth.Tokens;

namespace TSheets.Auth.Tests
{
    /// <summary>The bearer handler alone: a fake API behind it, a real refresher over a fake token endpoint beside it.</summary>
    public sealed class BearerHandlerTests : IDisposable
    {
        private readonly FakeClock clock = new FakeClock(Samples.Start);
        private readonly SessionStore store = new SessionStore();
        private readonly RecordingReporter report = new RecordingReporter();
        private readonly TempFolder locks = new TempFolder();

        public void Dispose() => locks.Dispose();

        private async Task<(HttpResponseMessage Response, ApiCall Call, RequestOptions Options)> Send(FakeHandler api, FakeHandler grant, bool refreshable = true, string path = "https://rest.tsheets.com/api/v1/users")
        {
            var connection = Samples.Connection("default", Samples.Start, TimeSpan.FromDays(10), refresh: refreshable ? Samples.RefreshToken : null);
            store.Set(connection);
            var tokens = new TokenRefresher(new ConnectionRepository(store, new MemoryVault(), clock, new LockFolder(locks.Path)), new TokenClient(HttpPipelines.Plain(PrimaryHandlers.Using(grant)), TimeSpan.FromSeconds(30)));
            using var pipeline = new HttpPipeline(new BearerHandler(tokens) { InnerHandler = api });
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            var options = new RequestOptions { Report = report, Described = "GET users" }.AttachTo(request);
            var call = new ApiCall(new CallScope("default", null, report, NetworkSettings.Default, CancellationToken.None), connection).AttachTo(request);
            return (await pipeline.SendAsync(request, CancellationToken.None), call, options);
        }

        private static FakeHandler Statuses(params int[] statuses) => FakeHandler.Sequence(statuses.Select(s => (Func<HttpResponseMessage>)(() => FakeHandler.Response((HttpStatusCode)s, "{}"))).ToArray());

        [Fact]
        public async Task SendsTheTokenAndNamesItForThePacerWithoutShowingIt()
        {
            var api = Statuses(200);
            var (_, call, options) = await Send(api, Statuses(500));
            Assert.Equal("Bearer", api.LastRequest.Headers.Authorization.Scheme);
            Assert.Equal(Samples.AccessToken, api.LastRequest.Headers.Authorization.Parameter);
            Assert.Equal(Fingerprint.Of(Samples.AccessToken), options.TokenKey);
            Assert.Null(call.RefusedToken);
            Assert.Contains(report.Verbose, line => line.StartsWith("GET users -> 200 in ", StringComparison.Ordinal));
            Assert.DoesNotContain(Samples.AccessToken, report.All, StringComparison.Ordinal);
        }

        [Fact]
        public async Task RefreshesOnceAfterA401AndSendsACopyWithTheNewToken()
        {
            var api = Statuses(401, 200);
            var grant = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            var (response, call, _) = await Send(api, grant);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var sent = api.Requests.Select(r => r.Request).ToList();
            Assert.NotSame(sent[0], sent[1]);
            Assert.Equal(new[] { Samples.AccessToken, Samples.NewAccessToken }, sent.Select(r => r.Headers.Authorization.Parameter));
            Assert.Equal(Samples.AccessToken, call.RefusedToken);
            Assert.False(call.RefreshedToSame);
            Assert.Equal(1, grant.Calls);
            Assert.Contains(report.Verbose, line => line.Contains("TSheets refused the token (GET users -> 401); refreshing it"));
        }

        [Fact]
        public async Task NeverRefreshesTwiceInOneCall()
        {
            var api = Statuses(401, 401, 401);
            var grant = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            var (response, call, _) = await Send(api, grant);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(2, api.Calls);
            Assert.Equal(1, grant.Calls);
            Assert.Equal(Samples.NewAccessToken, Samples.Plain(call.Connection.AccessToken));
        }

        [Fact]
        public async Task SaysWhenTheRefreshGaveBackTheRefusedToken()
        {
            var api = Statuses(401);
            var grant = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson(access: Samples.AccessToken));
            var (response, call, _) = await Send(api, grant);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.True(call.RefreshedToSame);
            Assert.Equal(1, api.Calls);
        }

        [Fact]
        public async Task GivesA401BackAtOnceWhenTheTokenCannotRefresh()
        {
            var grant = Statuses(500);
            var (response, call, _) = await Send(Statuses(401), grant, refreshable: false);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Null(call.RefusedToken);
            Assert.Equal(0, grant.Calls);
        }

        [Fact]
        public async Task NeverSendsTheTokenOutsideTheConnectionsBaseUri()
        {
            var api = Statuses(200);
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(api, Statuses(500), path: "https://elsewhere.example/api/v1/users"));
            Assert.Equal(ErrorIds.InvalidPath, ex.ErrorId);
            Assert.Equal(0, api.Calls);
        }
    }
}
