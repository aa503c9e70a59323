using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace TSheets.Auth.Tests
{
    public class HttpTransportTests
    {
        private static Task<HttpResult> Send(FakeHandler handler, TimeSpan timeout, CancellationToken cancellationToken = default) =>
            new HttpTransport(handler).SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://rest.tsheets.com/api/v1/current_user"), timeout, "default", cancellationToken);

        [Fact]
        public async Task ReadsStatusTypeAndBody()
        {
            var result = await Send(FakeHandler.Json(HttpStatusCode.Accepted, "{\"a\":1}"), TimeSpan.FromSeconds(5));
            Assert.Equal(202, result.StatusCode);
            Assert.Equal("application/json", result.ContentType);
            Assert.Equal("{\"a\":1}", result.Body);
        }

        [Fact]
        public async Task RefusesAnOversizedBody()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, new string('x', HttpTransport.MaxResponseBytes + 1));
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(handler, TimeSpan.FromSeconds(5)));
            Assert.Equal(ErrorIds.InvalidServerResponse, ex.ErrorId);
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
    }
}
