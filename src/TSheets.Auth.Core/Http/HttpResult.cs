using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Tasks;

namespace TSheets.Auth.Http
{
    /// <summary>An HTTP answer, read whole (up to <see cref="TryTimeoutHandler.MaxResponseBytes"/>).</summary>
    internal sealed class HttpResult
    {
        public HttpResult(int statusCode, string? contentType, string? body, HttpResponseHeaders? headers = null)
        {
            StatusCode = statusCode;
            ContentType = contentType;
            Body = body ?? string.Empty;
            Headers = headers;
        }

        public int StatusCode { get; }

        public string? ContentType { get; }

        public string Body { get; }

        public HttpResponseHeaders? Headers { get; }

        /// <summary>The answer a pipeline returned, its body already in memory.</summary>
        public static async Task<HttpResult> ReadAsync(HttpResponseMessage response)
        {
            var bytes = response.Content == null ? null : await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            var body = bytes == null ? string.Empty : Encoding.UTF8.GetString(bytes);
            return new HttpResult((int)response.StatusCode, response.Content?.Headers.ContentType?.MediaType, body, response.Headers);
        }
    }
}
