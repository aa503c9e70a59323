using System;
using System.Collections.Generic;
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
    public sealed class PageReaderTests : IDisposable
    {
        private readonly FakeClock clock = new FakeClock(Samples.Start);
        private readonly SessionStore store = new SessionStore();
        private readonly RecordingReporter report = new RecordingReporter();
        private readonly TempFolder locks = new TempFolder();

        public void Dispose() => locks.Dispose();

        private static KeyValuePair<string, string> Pair(string key, string value) => new KeyValuePair<string, string>(key, value);

        /// <summary>A page of <paramref name="items"/> users numbered from <paramref name="first"/>.</summary>
        private static string Page(int first, int items, bool? more) =>
            "{\"results\":{\"users\":" + (items == 0 ? "[]" : "{" + string.Join(",", Enumerable.Range(first, items).Select(i => $"\"{i}\":{{\"id\":{i}}}")) + "}") + "}"
            + (more.HasValue ? ",\"more\":" + (more.Value ? "true" : "false") : string.Empty) + ",\"supplemental_data\":[]}";

        /// <summary>Answers by the page asked for: <paramref name="pages"/>[n] is the body of page n.</summary>
        private static FakeHandler Server(IDictionary<int, string> pages) => new FakeHandler((request, _, _) =>
        {
            var page = int.Parse(PercentEncoding.ParseQuery(request.RequestUri.Query).Single(p => p.Key == "page").Value, System.Globalization.CultureInfo.InvariantCulture);
            return Task.FromResult(pages.TryGetValue(page, out var body)
                ? FakeHandler.Response(HttpStatusCode.OK, body)
                : FakeHandler.Response(HttpStatusCode.NotFound, "{\"error\":{\"code\":404,\"message\":\"no such page\"}}"));
        });

        private PageReader Reader(FakeHandler handler, params KeyValuePair<string, string>[] query)
        {
            store.Set(Samples.Connection("default", Samples.Start, TimeSpan.FromDays(10)));
            var primaries = PrimaryHandlers.Using(handler);
            var tokens = new TokenRefresher(new ConnectionRepository(store, new MemoryVault(), clock, new LockFolder(locks.Path)), new TokenClient(HttpPipelines.Plain(primaries), TimeSpan.FromSeconds(30)));
            var api = new ApiClient(ApiPipelines.Compose(primaries, tokens, new Pacer(clock, () => "1000/1"), clock), tokens, clock);
            return new PageReader(api, new CallScope("default", null, report, NetworkSettings.Default, CancellationToken.None), new ApiRequest { Path = "users", Query = query.ToList() });
        }

        private static async Task<List<object>> ReadAll(PageReader reader)
        {
            var pages = new List<object>();
            for (var page = await reader.NextAsync(); page != null; page = await reader.NextAsync())
            {
                pages.Add(page);
                Assert.True(pages.Count < 50, "the reader does not stop");
            }

            return pages;
        }

        private static List<List<KeyValuePair<string, string>>> Queries(FakeHandler handler) =>
            handler.Requests.Select(r => PercentEncoding.ParseQuery(r.Request.RequestUri.Query)).ToList();

        [Fact]
        public async Task FollowsMoreThroughShortPagesUntilMoreIsFalse()
        {
            var handler = Server(new Dictionary<int, string>
            {
                [1] = Page(1, 3, more: true),
                [2] = Page(4, 1, more: true),
                [3] = Page(5, 0, more: true),
                [4] = Page(5, 2, more: false),
                [5] = Page(7, 5, more: false),
            });
            var pages = await ReadAll(Reader(handler, Pair("active", "true")));

            Assert.Equal(4, pages.Count);
            Assert.Equal(4, handler.Calls);
            Assert.Equal(new[] { "1", "2", "3", "4" }, Queries(handler).Select(q => q.Single(p => p.Key == "page").Value).ToArray());
            Assert.All(Queries(handler), q =>
            {
                Assert.Equal("200", q.Single(p => p.Key == "limit").Value);
                Assert.Equal("true", q.Single(p => p.Key == "active").Value);
            });
            Assert.All(handler.Requests, r => Assert.Equal("/api/v1/users", r.Request.RequestUri.AbsolutePath));
            Assert.Equal(new[] { 3, 1, 0, 2 }, pages.Select(ApiShapes.ItemCount).ToArray());

            Assert.Equal(
                new[] { "1 page, 3 items so far", "2 pages, 4 items so far", "3 pages, 4 items so far", "done: 4 pages, 6 items" },
                report.Progress.ToArray());
        }

        [Fact]
        public async Task AskedAgainAfterTheLastPageItSendsNothing()
        {
            var handler = Server(new Dictionary<int, string> { [1] = Page(1, 2, more: false) });
            var reader = Reader(handler);
            Assert.NotNull(await reader.NextAsync());
            Assert.Null(await reader.NextAsync());
            Assert.Null(await reader.NextAsync());
            Assert.Equal(1, handler.Calls);
            Assert.Equal(new[] { "done: 1 page, 2 items" }, report.Progress.ToArray());
        }

        [Fact]
        public async Task AnAnswerWithoutMoreIsTheLastPage()
        {
            var handler = Server(new Dictionary<int, string> { [1] = Page(1, 2, more: null), [2] = Page(3, 2, more: false) });
            Assert.Single(await ReadAll(Reader(handler)));
            Assert.Equal(1, handler.Calls);
        }

        [Theory]
        [InlineData("limit", "50")]
        [InlineData("LIMIT", "5")]
        public async Task KeepsTheLimitTheQuerySets(string key, string value)
        {
            var handler = Server(new Dictionary<int, string> { [1] = Page(1, 1, more: true), [2] = Page(2, 1, more: false) });
            await ReadAll(Reader(handler, Pair(key, value), Pair("ids", "1,2")));

            Assert.Equal(2, handler.Calls);
            Assert.All(Queries(handler), q =>
            {
                var limits = q.Where(p => string.Equals(p.Key, "limit", StringComparison.OrdinalIgnoreCase)).ToList();
                Assert.Equal(value, Assert.Single(limits).Value);
                Assert.Equal("1,2", q.Single(p => p.Key == "ids").Value);
            });
        }

        [Theory]
        [InlineData("3", 3)]
        [InlineData("x", 1)]
        [InlineData("0", 1)]
        [InlineData("-2", 1)]
        public async Task StartsAtTheQuerysPageAndSendsItOnce(string first, int expected)
        {
            var handler = Server(new Dictionary<int, string> { [expected] = Page(1, 2, more: true), [expected + 1] = Page(3, 1, more: false) });
            var pages = await ReadAll(Reader(handler, Pair("page", first), Pair("active", "both")));

            Assert.Equal(2, pages.Count);
            var sent = Queries(handler);
            Assert.Equal(new[] { expected, expected + 1 }, sent.Select(q => int.Parse(Assert.Single(q, p => p.Key == "page").Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
            Assert.All(sent, q => Assert.Equal("both", q.Single(p => p.Key == "active").Value));
            Assert.Equal("done: 2 pages, 3 items", report.Progress.Last());
        }

        [Fact]
        public async Task AFailingPageEndsTheReadingWithTheError()
        {
            var handler = Server(new Dictionary<int, string> { [1] = Page(1, 2, more: true) });
            var reader = Reader(handler);
            Assert.NotNull(await reader.NextAsync());
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => reader.NextAsync());
            Assert.Equal(ErrorIds.ApiError, ex.ErrorId);
            Assert.DoesNotContain(report.Progress, p => p.StartsWith("done:", StringComparison.Ordinal));
        }
    }
}
