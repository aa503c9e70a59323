using System;
using System.Collections.Generic;
using System.Collections.Specialized;
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

    public sealed class ApiClientTests : IDisposable
    {
        private readonly FakeClock clock = new FakeClock(Samples.Start);
        private readonly SessionStore store = new SessionStore();
        private readonly RecordingReporter report = new RecordingReporter();
        private readonly TempFolder locks = new TempFolder();

        public void Dispose() => locks.Dispose();

        private ApiClient Client(FakeHandler handler, bool refreshable = true)
        {
            store.Set(Samples.Connection("default", Samples.Start, TimeSpan.FromDays(10), refresh: refreshable ? Samples.RefreshToken : null));
            return Api(handler, new Pacer(clock, () => "1000/1"));
        }

        /// <summary>The API client over <paramref name="handler"/>, composed as the module composes it.</summary>
        private ApiClient Api(FakeHandler handler, Pacer pacer)
        {
            var primaries = PrimaryHandlers.Using(handler);
            var tokens = new TokenRefresher(new ConnectionRepository(store, new MemoryVault(), clock, new LockFolder(locks.Path)), new TokenClient(HttpPipelines.Plain(primaries), TimeSpan.FromSeconds(30)));
            return new ApiClient(ApiPipelines.Compose(primaries, tokens, pacer, clock), tokens, clock);
        }

        private Task<object> Send(ApiClient client, ApiRequest request) => client.SendAsync(new CallScope("default", null, report, NetworkSettings.Default, CancellationToken.None), request);

        private static FakeHandler Answers(params Func<HttpRequestMessage, HttpResponseMessage>[] answers)
        {
            var next = 0;
            return new FakeHandler((request, _, _) => Task.FromResult(answers[Math.Min(Interlocked.Increment(ref next) - 1, answers.Length - 1)](request)));
        }

        private static HttpResponseMessage Json(HttpStatusCode status, string body) => FakeHandler.Response(status, body);

        private static HttpResponseMessage Limited(TimeSpan? retryAfter = null)
        {
            var answer = Json((HttpStatusCode)429, "{\"error\":{\"code\":429,\"message\":\"Too Many Requests\"}}");
            if (retryAfter.HasValue)
            {
                answer.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(retryAfter.Value);
            }

            return answer;
        }

        [Fact]
        public async Task SendsTheBearerTokenAndTheManagedClientHeaderAndReadsThePage()
        {
            var handler = Answers(_ => Json(HttpStatusCode.OK, "{\"results\":{},\"more\":true}"));
            var value = await Send(Client(handler), new ApiRequest { Path = "users", ManagedClientId = "77" });
            Assert.True(ApiShapes.HasMore(value));
            Assert.Equal("Bearer", handler.LastRequest.Headers.Authorization.Scheme);
            Assert.Equal(Samples.AccessToken, handler.LastRequest.Headers.Authorization.Parameter);
            Assert.Equal("77", handler.LastRequest.Headers.GetValues("vnd.tsheets.ManagedClientId").Single());
            Assert.Contains(report.Verbose, line => line.StartsWith("GET users -> 200 in "));
            Assert.DoesNotContain(report.Verbose, line => line.Contains(Samples.AccessToken));
        }

        [Theory]
        [InlineData("42\r\nX-Injected: yes")]
        [InlineData("42\nX")]
        [InlineData("٤٢")]
        public async Task RefusesAManagedClientIdThatIsNotDigitsBeforeSendingAnything(string id)
        {
            var handler = Answers(_ => Json(HttpStatusCode.OK, "{}"));
            await Assert.ThrowsAsync<ArgumentException>(() => Send(Client(handler), new ApiRequest { Path = "users", ManagedClientId = id }));
            Assert.Equal(0, handler.Calls);
        }

        [Fact]
        public async Task RefreshesOnceAfterA401AndRetriesWithTheNewToken()
        {
            var handler = Answers(
                _ => Json(HttpStatusCode.Unauthorized, "{\"error\":{\"code\":401,\"message\":\"Unauthorized\"}}"),
                _ => Json(HttpStatusCode.OK, Samples.GrantJson()),
                _ => Json(HttpStatusCode.OK, "{}"));
            await Send(Client(handler), new ApiRequest { Path = "current_user" });
            var tokens = handler.Requests.Select(r => r.Request.Headers.Authorization).ToList();
            Assert.Equal(3, tokens.Count);
            Assert.Equal(Samples.AccessToken, tokens[0].Parameter);
            Assert.Null(tokens[1]);
            Assert.Equal(Samples.NewAccessToken, tokens[2].Parameter);
            Assert.Equal(Samples.NewAccessToken, Samples.Plain(store.Get("default").AccessToken));
        }

        [Fact]
        public async Task ReportsA401ThatPersistsWithAFreshTokenAsMissingPermissionWithoutLooping()
        {
            var handler = Answers(
                _ => Json(HttpStatusCode.Unauthorized, "{\"error\":{\"code\":401,\"message\":\"Unauthorized: You don't have sufficient permission\"}}"),
                _ => Json(HttpStatusCode.OK, Samples.GrantJson()),
                _ => Json(HttpStatusCode.Unauthorized, "{\"error\":{\"code\":401,\"message\":\"Unauthorized: You don't have sufficient permission\"}}"));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(Client(handler), new ApiRequest { Path = "users" }));
            Assert.Equal(ErrorIds.ApiError, ex.ErrorId);
            Assert.Contains("lacks permission", ex.Message);
            Assert.Contains("sufficient permission", ex.Message);
            Assert.Equal(3, handler.Calls);
        }

        [Fact]
        public async Task ReportsA401OnATokenThatCannotRefreshAsExpiredWithWhatToDo()
        {
            var handler = Answers(_ => Json(HttpStatusCode.Unauthorized, "Unauthorized"));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(Client(handler, refreshable: false), new ApiRequest { Path = "users" }));
            Assert.Equal(ErrorIds.TokenExpired, ex.ErrorId);
            Assert.Contains("web UI", ex.Message);
            Assert.Equal(1, handler.Calls);
        }

        [Fact]
        public async Task HonoursRetryAfterSecondsAndDates()
        {
            var handler = Answers(
                _ => Limited(TimeSpan.FromSeconds(7)),
                _ =>
                {
                    var busy = Json(HttpStatusCode.ServiceUnavailable, "{}");
                    busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(clock.UtcNow.AddSeconds(3));
                    return busy;
                },
                _ => Json(HttpStatusCode.OK, "{}"));
            await Send(Client(handler), new ApiRequest { Path = "users" });
            Assert.Equal(new[] { TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(3) }, clock.Delays.Where(d => d > TimeSpan.Zero));
        }

        [Fact]
        public async Task WaitsOutTheWholeWindowAfterAnUnforeseen429WhenTheTimeoutAllowsAndSaysSo()
        {
            var handler = Answers(_ => Limited(), _ => Json(HttpStatusCode.OK, "{}"));
            var client = Client(handler);
            await Send(client, new ApiRequest { Path = "users", Timeout = TimeSpan.FromSeconds(10) });
            Assert.Contains(TimeSpan.FromSeconds(1), clock.Delays);
            Assert.Contains(report.Warnings, w => w.Contains("another process may be using the same token"));
            Assert.Equal(2, handler.Calls);
        }

        [Fact]
        public async Task FailsAt429WhenWaitingForTheWindowWouldTakeLongerThanTheTimeout()
        {
            store.Set(Samples.Connection("default", Samples.Start, TimeSpan.FromDays(10)));
            var handler = Answers(_ => Limited());
            var client = Api(handler, new Pacer(clock, () => "300/300"));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(client, new ApiRequest { Path = "users", Timeout = TimeSpan.FromSeconds(100) }));
            Assert.Equal(ErrorIds.RateLimited, ex.ErrorId);
            Assert.Contains("-TimeoutSec", ex.Message);
            Assert.Equal(1, handler.Calls);
        }

        [Fact]
        public async Task BacksOffExponentiallyOn503ThenGivesUp()
        {
            var handler = Answers(_ => Json(HttpStatusCode.ServiceUnavailable, "{\"error\":{\"code\":503,\"message\":\"Service Unavailable\"}}"));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(Client(handler), new ApiRequest { Path = "users", MaximumRetryCount = 3 }));
            Assert.Equal(ErrorIds.ServiceUnavailable, ex.ErrorId);
            Assert.Equal(4, handler.Calls);
            var waits = clock.Delays.Where(d => d > TimeSpan.Zero).ToList();
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
            var handler = Answers(_ => Json((HttpStatusCode)status, body));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(Client(handler), new ApiRequest { Path = "users" }));
            Assert.Equal(errorId, ex.ErrorId);
            Assert.Equal(status, ex.StatusCode);
            Assert.Equal(1, handler.Calls);
        }

        [Fact]
        public async Task ReportsANonJsonAnswer()
        {
            var handler = Answers(_ => FakeHandler.Response(HttpStatusCode.OK, "<html><title>Portal</title></html>", "text/html"));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(Client(handler), new ApiRequest { Path = "users" }));
            Assert.Equal(ErrorIds.InvalidServerResponse, ex.ErrorId);
            Assert.Contains("Portal", ex.Message);
        }

        [Fact]
        public async Task ScrubsTheExactTokenFromAnErrorBodyWhateverItsShapeAndBeforeCuttingIt()
        {
            var odd = "plain-token-" + new string('z', 30);
            store.Set(Samples.Connection("default", Samples.Start, TimeSpan.FromDays(10), access: odd, refresh: null));
            var body = "{\"error\":{\"code\":417,\"message\":\"" + new string('x', 280) + " echo " + odd + "\"}}";
            var handler = Answers(_ => Json((HttpStatusCode)417, body));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(Api(handler, new Pacer(clock, () => "10/1")), new ApiRequest { Path = "users" }));
            Assert.DoesNotContain("plain-token", ex.Message);
            Assert.DoesNotContain("zzzz", ex.Message);
        }

        [Fact]
        public async Task TurnsPhpEmptyArraysIntoEmptyObjects()
        {
            var handler = Answers(_ => Json(HttpStatusCode.OK, "{\"results\":{\"users\":[]},\"more\":false,\"supplemental_data\":[]}"));
            var value = (OrderedDictionary)await Send(Client(handler), new ApiRequest { Path = "users" });
            Assert.IsType<OrderedDictionary>(((OrderedDictionary)value["results"])["users"]);
            Assert.IsType<OrderedDictionary>(value["supplemental_data"]);
        }

        [Fact]
        public async Task TakesFailedBatchItemsOutAndReportsEachWithItsIndex()
        {
            var answer = "{\"results\":{\"timesheets\":{"
                + "\"1\":{\"_status_code\":200,\"_status_message\":\"Created\",\"id\":9},"
                + "\"2\":{\"_status_code\":417,\"_status_message\":\"Expectation Failed\",\"_status_extra\":\"user_id is required\"},"
                + "\"3\":{\"_status_code\":404,\"_status_message\":\"Not Found\",\"_status_extra\":\"\"}}}}";
            var handler = Answers(_ => Json(HttpStatusCode.OK, answer));
            var value = (OrderedDictionary)await Send(Client(handler), new ApiRequest { Method = "POST", Path = "timesheets", JsonBody = "{\"data\":[{},{},{}]}" });
            var items = (OrderedDictionary)((OrderedDictionary)value["results"])["timesheets"];
            Assert.Equal(new object[] { "1" }, items.Keys.Cast<object>().ToArray());
            var errors = report.Errors.ToList();
            Assert.Equal(2, errors.Count);
            Assert.All(errors, e => Assert.Equal(ErrorIds.ApiError, e.ErrorId));
            Assert.Equal(("2", 417), (errors[0].Target, errors[0].StatusCode.Value));
            Assert.Contains("Item 2 of POST timesheets was refused: 417 Expectation Failed (user_id is required)", errors[0].Message);
            Assert.Contains("1 other item was refused too; 1 item was accepted.", errors[0].Message);
            Assert.DoesNotContain("The other items were accepted", errors[0].Message);
            Assert.Equal("3", errors[1].Target);
        }
    }
}
