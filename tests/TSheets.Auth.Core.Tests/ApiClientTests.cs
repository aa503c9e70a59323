using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace TSheets.Auth.Tests
{
    public class JsonValuesTests
    {
        [Fact]
        public void KeepsTypesOrderAndNesting()
        {
            var value = (OrderedDictionary)JsonValues.Parse("{\"b\":1,\"a\":[true,null,\"x\",2.5,9007199254740993],\"c\":{\"d\":false},\"b\":2}");
            Assert.Equal(new object[] { "b", "a", "c" }, value.Keys.Cast<object>().ToArray());
            Assert.Equal(2, value["b"]);
            var list = (object[])value["a"];
            Assert.Equal(new object[] { true, null, "x", 2.5, 9007199254740993L }, list);
            Assert.Equal(false, ((OrderedDictionary)value["c"])["d"]);
        }

        [Fact]
        public void LeavesDateStringsAsStrings()
        {
            Assert.Equal("2018-07-16T08:39:28-06:00", JsonValues.Parse("\"2018-07-16T08:39:28-06:00\""));
        }
    }

    public class ApiClientTests
    {
        private static readonly DateTimeOffset Start = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        private readonly FakeClock clock = new FakeClock(Start);
        private readonly SessionStore store = new SessionStore();
        private readonly List<TimeSpan> waits = new List<TimeSpan>();

        private ApiClient Client(FakeHandler handler, bool refreshable = true)
        {
            store.Set(new Connection(
                "default",
                SecureStrings.FromPlainText(Samples.AccessToken),
                refreshable ? SecureStrings.FromPlainText(Samples.RefreshToken) : null,
                Start,
                Start.AddDays(10),
                "client-id",
                SecureStrings.FromPlainText("client-secret"),
                Samples.BaseUri));
            var transport = new HttpTransport(handler);
            var tokens = new TokenService(store, new TokenClient(transport), clock);
            return new ApiClient(transport, tokens, clock, (wait, _) =>
            {
                waits.Add(wait);
                return Task.CompletedTask;
            });
        }

        private static FakeHandler Sequence(params Func<HttpRequestMessage, HttpResponseMessage>[] answers)
        {
            var next = 0;
            return new FakeHandler((request, _, _) => Task.FromResult(answers[Math.Min(Interlocked.Increment(ref next) - 1, answers.Length - 1)](request)));
        }

        private static HttpResponseMessage Json(HttpStatusCode status, string body) => FakeHandler.Response(status, body);

        [Fact]
        public void BuildsUrisUnderTheBaseOnly()
        {
            var request = new ApiRequest { Path = "/timesheets?x=1", Query = { new KeyValuePair<string, string>("ids", "1,2"), new KeyValuePair<string, string>("q", "a b") } };
            Assert.Equal("https://rest.tsheets.com/api/v1/timesheets?x=1&ids=1%2C2&q=a%20b", ApiClient.BuildUri(Samples.BaseUri, request).AbsoluteUri);
            foreach (var path in new[] { "https://evil.example/x", "//evil.example/x", "../x", "a/../../x", "", "  " })
            {
                var ex = Assert.Throws<TSheetsAuthException>(() => ApiClient.BuildUri(Samples.BaseUri, new ApiRequest { Path = path }));
                Assert.Equal(ErrorIds.InvalidBaseUri, ex.ErrorId);
            }
        }

        [Fact]
        public async Task SendsTheBearerTokenAndReadsThePage()
        {
            var handler = Sequence(_ => Json(HttpStatusCode.OK, "{\"results\":{},\"more\":true}"));
            var result = await Client(handler).SendAsync("default", null, new ApiRequest { Path = "users", ManagedClientId = "77" }, CancellationToken.None);
            Assert.True(result.More);
            Assert.Equal("Bearer", handler.LastRequest.Headers.Authorization.Scheme);
            Assert.Equal(Samples.AccessToken, handler.LastRequest.Headers.Authorization.Parameter);
            Assert.Equal("77", handler.LastRequest.Headers.GetValues("vnd.tsheets.ManagedClientId").Single());
            Assert.Contains(result.Verbose, line => line.StartsWith("GET users -> 200 in "));
            Assert.DoesNotContain(result.Verbose, line => line.Contains(Samples.AccessToken));
        }

        [Fact]
        public async Task RefreshesOnceAfterA401AndRetries()
        {
            var handler = Sequence(
                _ => Json(HttpStatusCode.Unauthorized, "{\"error\":{\"code\":401,\"message\":\"Unauthorized\"}}"),
                _ => Json(HttpStatusCode.OK, Samples.GrantJson()),
                request => Json(HttpStatusCode.OK, "{\"token\":\"" + request.Headers.Authorization.Parameter.Substring(0, 5) + "\"}"));
            var result = await Client(handler).SendAsync("default", null, new ApiRequest { Path = "current_user" }, CancellationToken.None);
            Assert.Equal(3, handler.Calls);
            Assert.Equal(Samples.NewAccessToken, SecureStrings.ToPlainText(store.Get("default").AccessToken));
        }

        [Fact]
        public async Task DoesNotLoopOnRepeated401s()
        {
            var handler = Sequence(
                _ => Json(HttpStatusCode.Unauthorized, "Unauthorized"),
                _ => Json(HttpStatusCode.OK, Samples.GrantJson()),
                _ => Json(HttpStatusCode.Unauthorized, "Unauthorized"));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Client(handler).SendAsync("default", null, new ApiRequest { Path = "current_user" }, CancellationToken.None));
            Assert.Equal(ErrorIds.TokenExpired, ex.ErrorId);
            Assert.Equal(3, handler.Calls);
        }

        [Fact]
        public async Task HonoursRetryAfterSecondsAndDates()
        {
            var handler = Sequence(
                _ =>
                {
                    var limited = Json((HttpStatusCode)429, "{}");
                    limited.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
                    return limited;
                },
                _ =>
                {
                    var busy = Json(HttpStatusCode.ServiceUnavailable, "{}");
                    busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(Start.AddSeconds(3));
                    return busy;
                },
                _ => Json(HttpStatusCode.OK, "{}"));
            await Client(handler).SendAsync("default", null, new ApiRequest { Path = "users" }, CancellationToken.None);
            Assert.Equal(new[] { TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(3) }, waits);
        }

        [Fact]
        public async Task BacksOffExponentiallyThenGivesUp()
        {
            var handler = Sequence(_ => Json((HttpStatusCode)429, "{\"error\":{\"code\":429,\"message\":\"Too Many Requests\"}}"));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Client(handler).SendAsync("default", null, new ApiRequest { Path = "users", MaximumRetryCount = 3 }, CancellationToken.None));
            Assert.Equal(ErrorIds.RateLimited, ex.ErrorId);
            Assert.Equal(4, handler.Calls);
            Assert.Equal(3, waits.Count);
            for (var i = 0; i < 3; i++)
            {
                Assert.InRange(waits[i].TotalMilliseconds, 1000 * Math.Pow(2, i), (1000 * Math.Pow(2, i)) + 250);
            }
        }

        [Theory]
        [InlineData(499, "{\"error\":{\"code\":499,\"message\":\"blocked\"}}", ErrorIds.IpBlocked)]
        [InlineData(417, "{\"error\":{\"code\":417,\"message\":\"Expectation Failed: bad\"}}", ErrorIds.ApiError)]
        [InlineData(404, "Not here", ErrorIds.ApiError)]
        [InlineData(502, "bad gateway", ErrorIds.ServiceUnavailable)]
        public async Task MapsFailures(int status, string body, string errorId)
        {
            var handler = Sequence(_ => Json((HttpStatusCode)status, body));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Client(handler).SendAsync("default", null, new ApiRequest { Path = "users" }, CancellationToken.None));
            Assert.Equal(errorId, ex.ErrorId);
            Assert.Equal(status, ex.StatusCode);
            Assert.Equal(1, handler.Calls);
        }

        [Fact]
        public async Task ReportsANonJsonAnswer()
        {
            var handler = Sequence(_ => FakeHandler.Response(HttpStatusCode.OK, "<html><title>Portal</title></html>", "text/html"));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Client(handler).SendAsync("default", null, new ApiRequest { Path = "users" }, CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidServerResponse, ex.ErrorId);
            Assert.Contains("Portal", ex.Message);
        }
    }
}
