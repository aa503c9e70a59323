using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using TSheets.Auth.Common;
using TSheets.Auth.Http;

namespace TSheets.Auth.Tests
{
    /// <summary>The retry handler and the pacing handler, each alone over a fake server and a fake clock.</summary>
    public class RetryAndPacingHandlerTests
    {
        private readonly FakeClock clock = new FakeClock(Samples.Start);
        private readonly RecordingReporter report = new RecordingReporter();

        private static HttpResponseMessage Answer(int status, TimeSpan? retryAfter = null, DateTimeOffset? retryAt = null)
        {
            var answer = FakeHandler.Response((HttpStatusCode)status, "{}");
            if (retryAfter.HasValue)
            {
                answer.Headers.RetryAfter = new RetryConditionHeaderValue(retryAfter.Value);
            }

            if (retryAt.HasValue)
            {
                answer.Headers.RetryAfter = new RetryConditionHeaderValue(retryAt.Value);
            }

            return answer;
        }

        private async Task<(HttpResponseMessage Response, RequestOptions Options)> Retry(FakeHandler server, int retries = 3, TimeSpan? budget = null, string limit = "300/300", HttpContent body = null)
        {
            using var pipeline = new HttpPipeline(new RetryHandler(clock, new Pacer(clock, () => limit)) { InnerHandler = server });
            var request = new HttpRequestMessage(HttpMethod.Post, "https://rest.tsheets.com/api/v1/timesheets") { Content = body };
            var options = new RequestOptions { Report = report, Described = "POST timesheets", MaximumRetryCount = retries, Deadline = clock.UtcNow + (budget ?? TimeSpan.FromSeconds(100)) }.AttachTo(request);
            return (await pipeline.SendAsync(request, CancellationToken.None), options);
        }

        [Fact]
        public async Task HonoursRetryAfterInSecondsAndAsADateThenReturnsTheAnswer()
        {
            var server = FakeHandler.Sequence(() => Answer(429, retryAfter: TimeSpan.FromSeconds(7)), () => Answer(503, retryAt: clock.UtcNow.AddSeconds(3)), () => Answer(200));
            var (response, options) = await Retry(server);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(new[] { TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(3) }, clock.Delays);
            Assert.Equal(3, options.Tries);
            Assert.Contains(report.Verbose, line => line == "POST timesheets -> 429; waiting 7.0 s before try 2 of 4.");
        }

        [Fact]
        public async Task ResendsACopyWithTheWholeBodyAndTheSameOptions()
        {
            var server = FakeHandler.Sequence(() => Answer(503, retryAfter: TimeSpan.FromSeconds(1)), () => Answer(200));
            var (_, options) = await Retry(server, body: new StringContent("{\"data\":[1]}", Encoding.UTF8, "application/json"));
            var sent = server.Requests.ToList();
            Assert.Equal(2, sent.Count);
            Assert.NotSame(sent[0].Request, sent[1].Request);
            Assert.All(sent, s => Assert.Equal("{\"data\":[1]}", s.Body));
            Assert.Equal("application/json", sent[1].Request.Content.Headers.ContentType.MediaType);
            Assert.Same(options, RequestOptions.Of(sent[1].Request));
        }

        [Fact]
        public async Task BacksOffExponentiallyOn503AndGivesTheLastAnswerBackWhenTheTriesAreSpent()
        {
            var server = FakeHandler.Sequence(() => Answer(503));
            var (response, options) = await Retry(server, retries: 2);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(3, server.Calls);
            Assert.Equal(3, options.Tries);
            var waits = clock.Delays.ToList();
            Assert.InRange(waits[0].TotalMilliseconds, 1000, 1250);
            Assert.InRange(waits[1].TotalMilliseconds, 2000, 2250);
            Assert.Null(options.WaitRefused);
        }

        [Fact]
        public async Task WaitsAWholeWindowAfterA429WithoutRetryAfterAndSaysSo()
        {
            var server = FakeHandler.Sequence(() => Answer(429), () => Answer(200));
            var (response, _) = await Retry(server, limit: "10/8");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(new[] { TimeSpan.FromSeconds(8) }, clock.Delays);
            Assert.Contains(report.Warnings, w => w.Contains("TSheets refused POST timesheets with 429 (rate limit)") && w.Contains("Waiting 8 s"));
        }

        [Fact]
        public async Task DoesNotWaitPastTheDeadlineAndSaysWhatTheWaitWouldHaveBeen()
        {
            var server = FakeHandler.Sequence(() => Answer(429));
            var (response, options) = await Retry(server, budget: TimeSpan.FromSeconds(100));
            Assert.Equal(429, (int)response.StatusCode);
            Assert.Equal(1, server.Calls);
            Assert.Empty(clock.Delays);
            Assert.Equal(TimeSpan.FromSeconds(300), options.WaitRefused);
        }

        [Fact]
        public async Task TriesOnceWithoutRetries()
        {
            var server = FakeHandler.Sequence(() => Answer(503, retryAfter: TimeSpan.FromSeconds(1)));
            var (response, options) = await Retry(server, retries: 0);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(1, server.Calls);
            Assert.Equal(1, options.Tries);
        }

        private async Task<HttpResponseMessage> Paced(Pacer pacer, FakeHandler server, string key = "token-a")
        {
            using var pipeline = new HttpPipeline(new PacingHandler(pacer, clock) { InnerHandler = server });
            using var request = new HttpRequestMessage(HttpMethod.Get, "https://rest.tsheets.com/api/v1/users");
            new RequestOptions { Report = report, TokenKey = key }.AttachTo(request);
            return await pipeline.SendAsync(request, CancellationToken.None);
        }

        [Fact]
        public async Task HoldsEveryCallOnTheTokenForAWindowAfterAnUnforeseen429()
        {
            var pacer = new Pacer(clock, () => "100/5");
            await Paced(pacer, FakeHandler.Sequence(() => Answer(429)));
            await Paced(pacer, FakeHandler.Sequence(() => Answer(200)));
            Assert.Equal(new[] { TimeSpan.FromSeconds(5) }, clock.Delays);
            await Paced(pacer, FakeHandler.Sequence(() => Answer(200)), key: "token-b");
            Assert.Single(clock.Delays);
        }

        [Fact]
        public async Task DoesNotHoldTheWindowForA429ThatSaysWhenToComeBack()
        {
            var pacer = new Pacer(clock, () => "100/5");
            await Paced(pacer, FakeHandler.Sequence(() => Answer(429, retryAfter: TimeSpan.FromSeconds(2))));
            await Paced(pacer, FakeHandler.Sequence(() => Answer(200)));
            Assert.Empty(clock.Delays);
        }

        [Fact]
        public async Task CountsACallFromSendUntilItsAnswerEvenWhenItFails()
        {
            var pacer = new Pacer(clock, () => "1/5");
            await Assert.ThrowsAsync<HttpRequestException>(() => Paced(pacer, new FakeHandler((_, _, _) => throw new HttpRequestException("reset"))));
            clock.Advance(TimeSpan.FromSeconds(1));
            await Paced(pacer, FakeHandler.Sequence(() => Answer(200)));
            var wait = Assert.Single(clock.Delays);
            Assert.InRange(wait.TotalSeconds, 4, 4.1);
        }

        [Fact]
        public async Task RefusesToPaceACallWithoutItsTokenKey()
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => Paced(new Pacer(clock, () => "1/5"), FakeHandler.Sequence(() => Answer(200)), key: null));
        }
    }
}
