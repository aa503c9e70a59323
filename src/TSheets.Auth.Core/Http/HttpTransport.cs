using System;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth
{
    /// <summary>
    /// The process's one <see cref="HttpClient"/>: connections are reused, TLS 1.2+ is set on its
    /// own handler (never process-wide), the system proxy is honoured, redirects are not followed
    /// (a redirect from an API is a captive portal or a misconfiguration, and must not carry a
    /// bearer token elsewhere), every call has a timeout and every body a size cap.
    /// </summary>
    internal sealed class HttpTransport
    {
        /// <summary>No TSheets answer comes near this; a bigger one is not TSheets.</summary>
        public const int MaxResponseBytes = 1024 * 1024;

        private static readonly Lazy<HttpTransport> SharedInstance =
            new Lazy<HttpTransport>(() => new HttpTransport(CreateHandler()), LazyThreadSafetyMode.ExecutionAndPublication);

        private readonly HttpClient client;

        public HttpTransport(HttpMessageHandler handler)
        {
            client = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
            client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("TSheets.Auth", typeof(HttpTransport).Assembly.GetName().Version.ToString(3)));
        }

        public static HttpTransport Shared => SharedInstance.Value;

        public static HttpMessageHandler CreateHandler()
        {
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                UseProxy = true,
                AutomaticDecompression = System.Net.DecompressionMethods.GZip | System.Net.DecompressionMethods.Deflate,
            };
            TlsPolicy.TryApply(handler, TlsPolicy.Choose(System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription, Environment.OSVersion));
            return handler;
        }

        /// <summary>
        /// Sends <paramref name="request"/> and reads the answer. Network failures and timeouts
        /// become <see cref="ErrorIds.ServiceUnavailable"/>; <paramref name="cancellationToken"/>
        /// (Ctrl+C) ends the call with <see cref="OperationCanceledException"/>.
        /// </summary>
        public async Task<HttpResult> SendAsync(HttpRequestMessage request, TimeSpan timeout, object target, CancellationToken cancellationToken)
        {
            var host = request.RequestUri.GetLeftPart(UriPartial.Authority);
            using (var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeoutSource.CancelAfter(timeout);
                try
                {
                    using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token).ConfigureAwait(false))
                    {
                        var body = await ReadBoundedAsync(response.Content, host, target, timeoutSource.Token).ConfigureAwait(false);
                        return new HttpResult((int)response.StatusCode, response.Content?.Headers.ContentType?.MediaType, body, response.Headers);
                    }
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TSheetsAuthException(
                        ErrorIds.ServiceUnavailable,
                        $"TSheets at {host} did not answer within {timeout.TotalSeconds:0.#} seconds. Try again later.",
                        target,
                        ex);
                }
                catch (HttpRequestException ex)
                {
                    throw new TSheetsAuthException(
                        ErrorIds.ServiceUnavailable,
                        $"TSheets at {host} could not be reached: {Explain(ex)}",
                        target,
                        ex);
                }
                catch (IOException ex)
                {
                    throw new TSheetsAuthException(
                        ErrorIds.ServiceUnavailable,
                        $"The connection to TSheets at {host} failed: {Innermost(ex)}",
                        target,
                        ex);
                }
            }
        }

        private static async Task<string> ReadBoundedAsync(HttpContent content, string host, object target, CancellationToken cancellationToken)
        {
            if (content == null)
            {
                return string.Empty;
            }

            if (content.Headers.ContentLength > MaxResponseBytes)
            {
                throw TooLarge(host, target);
            }

            using (var stream = await content.ReadAsStreamAsync().ConfigureAwait(false))
            using (var buffer = new MemoryStream())
            // .NET Framework's response stream ignores the token once the headers are in: closing the
            // stream is what ends a read from a server that stalls mid-body.
            using (cancellationToken.Register(stream.Dispose))
            {
                var chunk = new byte[16 * 1024];
                int read;
                try
                {
                    while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        if (buffer.Length + read > MaxResponseBytes)
                        {
                            throw TooLarge(host, target);
                        }

                        buffer.Write(chunk, 0, read);
                    }
                }
                catch (Exception ex) when (cancellationToken.IsCancellationRequested && (ex is IOException || ex is ObjectDisposedException))
                {
                    throw new OperationCanceledException(cancellationToken);
                }

                return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            }
        }

        private static TSheetsAuthException TooLarge(string host, object target) =>
            new TSheetsAuthException(
                ErrorIds.InvalidServerResponse,
                $"The answer from {host} is larger than {MaxResponseBytes / 1024} KB, which no TSheets answer is.",
                target);

        /// <summary>What went wrong, in words: refused, name not found, TLS, or the runtime's own message.</summary>
        private static string Explain(Exception ex)
        {
            for (var inner = ex; inner != null; inner = inner.InnerException)
            {
                if (inner is System.Net.Sockets.SocketException socket)
                {
                    switch (socket.SocketErrorCode)
                    {
                        case System.Net.Sockets.SocketError.ConnectionRefused:
                            return $"the connection was refused (nothing listens there, or a firewall said no). ({socket.Message})";
                        case System.Net.Sockets.SocketError.HostNotFound:
                        case System.Net.Sockets.SocketError.NoData:
                        case System.Net.Sockets.SocketError.TryAgain:
                            return $"the name could not be resolved (DNS); check the address and the network. ({socket.Message})";
                        case System.Net.Sockets.SocketError.TimedOut:
                        case System.Net.Sockets.SocketError.HostUnreachable:
                        case System.Net.Sockets.SocketError.NetworkUnreachable:
                            return $"the network did not reach it. ({socket.Message})";
                    }
                }

                if (inner is System.Security.Authentication.AuthenticationException)
                {
                    return $"the TLS connection failed (an invalid or intercepted certificate, or no common TLS version): {Innermost(inner)}";
                }
            }

            return Innermost(ex);
        }

        private static string Innermost(Exception ex)
        {
            while (ex.InnerException != null)
            {
                ex = ex.InnerException;
            }

            return ex.Message;
        }
    }
}
