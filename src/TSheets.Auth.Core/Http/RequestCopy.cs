using System.Net.Http;
using System.Threading.Tasks;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// A request sent again (after a 401 and a refresh, or a 429/503 wait) is a copy: a request
    /// message goes out once. Its body is read into memory first, so every copy carries it whole.
    /// </summary>
    internal static class RequestCopy
    {
        /// <summary>The body of <paramref name="request"/> as bytes (null for none), read before the first send.</summary>
        public static async Task<byte[]?> BodyOf(HttpRequestMessage request) =>
            request.Content == null ? null : await request.Content.ReadAsByteArrayAsync().ConfigureAwait(false);

        /// <summary>A new message with the same method, address, headers, properties and body.</summary>
        public static HttpRequestMessage Of(HttpRequestMessage request, byte[]? body)
        {
            var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version };
            foreach (var header in request.Headers)
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            foreach (var property in request.Properties)
            {
                copy.Properties[property.Key] = property.Value;
            }

            if (body != null)
            {
                copy.Content = new ByteArrayContent(body);
                foreach (var header in request.Content!.Headers)
                {
                    copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            return copy;
        }
    }
}
