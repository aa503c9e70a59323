using System;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth.Tests
{
    internal sealed class FakeClock : IClock
    {
        public FakeClock(DateTimeOffset now) => UtcNow = now;

        public DateTimeOffset UtcNow { get; set; }

        public void Advance(TimeSpan by) => UtcNow += by;
    }

    /// <summary>An HTTP handler answering from a function, counting calls and keeping the last request body.</summary>
    internal sealed class FakeHandler : HttpMessageHandler
    {
        private readonly Func<HttpRequestMessage, string, CancellationToken, Task<HttpResponseMessage>> answer;
        private int calls;

        public FakeHandler(Func<HttpRequestMessage, string, CancellationToken, Task<HttpResponseMessage>> answer) => this.answer = answer;

        public int Calls => Volatile.Read(ref calls);

        public string LastBody { get; private set; }

        public HttpRequestMessage LastRequest { get; private set; }

        public static FakeHandler Json(HttpStatusCode status, string json) =>
            new FakeHandler((_, _, _) => Task.FromResult(Response(status, json)));

        public static HttpResponseMessage Response(HttpStatusCode status, string body, string mediaType = "application/json") =>
            new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            LastRequest = request;
            LastBody = request.Content == null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            return await answer(request, LastBody, cancellationToken);
        }
    }

    internal static class Samples
    {
        public const string AccessToken = "S.7__0123456789abcdef0123456789abcdef01234567";
        public const string RefreshToken = "fedcba9876543210fedcba9876543210fedcba98";
        public const string NewAccessToken = "S.7__aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        public const string NewRefreshToken = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        public static readonly Uri BaseUri = new Uri("https://rest.tsheets.com/api/v1");

        public static string GrantJson(string access = NewAccessToken, string refresh = NewRefreshToken, int expiresIn = 864000) =>
            "{\"access_token\":\"" + access + "\",\"expires_in\":" + expiresIn + ",\"token_type\":\"bearer\",\"scope\":\"\","
            + (refresh == null ? string.Empty : "\"refresh_token\":\"" + refresh + "\",")
            + "\"user_id\":\"12345\",\"company_id\":\"67890\",\"client_url\":\"acmeco\"}";
    }
}
