using System.Net.Http.Headers;

namespace TSheets.Auth
{
    /// <summary>An HTTP answer, read whole (up to <see cref="HttpTransport.MaxResponseBytes"/>).</summary>
    internal sealed class HttpResult
    {
        public HttpResult(int statusCode, string contentType, string body, HttpResponseHeaders headers = null)
        {
            StatusCode = statusCode;
            ContentType = contentType;
            Body = body ?? string.Empty;
            Headers = headers;
        }

        public int StatusCode { get; }

        public string ContentType { get; }

        public string Body { get; }

        public HttpResponseHeaders Headers { get; }
    }
}
