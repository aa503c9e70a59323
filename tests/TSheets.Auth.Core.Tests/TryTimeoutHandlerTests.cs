using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Tests
{
    /// <summary>The innermost handler alone, over a fake server: one try, bounded in time and size.</summary>
    public class TryTimeoutHandlerTests
    {
        private static async Task<HttpResult> Send(HttpMessageHandler server, TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            using var pipeline = new HttpPipeline(new TryTimeoutHandler { InnerHandler = server });
            using var request = new HttpRequestMessage(HttpMethod.Get, "https://rest.tsheets.com/api/v1/current_user");
            new RequestOptions { Target = "default", TryTimeout = timeout }.AttachTo(request);
            using var response = await pipeline.SendAsync(request, cancellationToken);
            return await HttpResult.ReadAsync(response);
        }

        [Fact]
        public async Task ReadsStatusTypeAndBody()
        {
            var result = await Send(FakeHandler.Json(HttpStatusCode.Accepted, "{\"a\":1}"), TimeSpan.FromSeconds(5));
            Assert.Equal(202, result.StatusCode);
            Assert.Equal("application/json", result.ContentType);
            Assert.Equal("{\"a\":1}", result.Body);
        }

        [Fact]
        public async Task SendsTheModulesUserAgent()
        {
            var server = FakeHandler.Json(HttpStatusCode.OK, "{}");
            await Send(server, TimeSpan.FromSeconds(5));
            Assert.Equal("TSheets.Auth", Assert.Single(server.LastRequest.Headers.UserAgent).Product.Name);
        }

        [Fact]
        public async Task RefusesAnOversizedBody()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, new string('x', TryTimeoutHandler.MaxResponseBytes + 1));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(handler, TimeSpan.FromSeconds(5)));
            Assert.Equal(ErrorIds.InvalidServerResponse, ex.ErrorId);
            Assert.Equal("default", ex.Target);
        }

        [Fact]
        public async Task TurnsASilentServerIntoServiceUnavailable()
        {
            var handler = new FakeHandler(async (_, _, token) =>
            {
                await Task.Delay(Timeout.Infinite, token);
                return null;
            });
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(handler, TimeSpan.FromMilliseconds(200)));
            Assert.Equal(ErrorIds.ServiceUnavailable, ex.ErrorId);
            Assert.Contains("did not answer", ex.Message);
        }

        [Fact]
        public async Task EndsABodyThatStallsAtTheTimeout()
        {
            var handler = new FakeHandler((_, _, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new StallingStream()) }));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(handler, TimeSpan.FromMilliseconds(300)));
            Assert.Equal(ErrorIds.ServiceUnavailable, ex.ErrorId);
            Assert.Contains("did not answer within 0.3 seconds", ex.Message);
        }

        [Fact]
        public async Task TurnsNetworkFailuresIntoServiceUnavailable()
        {
            var handler = new FakeHandler((_, _, _) => throw new HttpRequestException("Connection refused (rest.tsheets.com:443)"));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(handler, TimeSpan.FromSeconds(5)));
            Assert.Equal(ErrorIds.ServiceUnavailable, ex.ErrorId);
            Assert.Contains("Connection refused", ex.Message);
            Assert.IsType<HttpRequestException>(ex.InnerException);
        }

        [Fact]
        public async Task LetsTheCallerCancel()
        {
            using var cancellation = new CancellationTokenSource(100);
            var handler = new FakeHandler(async (_, _, token) =>
            {
                await Task.Delay(Timeout.Infinite, token);
                return null;
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Send(handler, TimeSpan.FromSeconds(30), cancellation.Token));
        }

        /// <summary>A body that sends a few bytes and then nothing, until the reader gives up.</summary>
        private sealed class StallingStream : Stream
        {
            private bool sent;

            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            {
                if (!sent)
                {
                    sent = true;
                    buffer[offset] = (byte)'{';
                    return 1;
                }

                await Task.Delay(Timeout.Infinite, cancellationToken);
                return 0;
            }

            public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}
