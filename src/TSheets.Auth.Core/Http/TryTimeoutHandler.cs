using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// The innermost handler: one try, from sending to the answer's last byte, within the request's
    /// <see cref="RequestOptions.TryTimeout"/> (a pacer's wait outside it does not count), and an
    /// answer of at most <see cref="MaxResponseBytes"/>, read whole here so no handler above waits
    /// on the network. Network failures and timeouts become <see cref="ErrorIds.ServiceUnavailable"/>;
    /// the caller's cancellation (Ctrl+C) ends the try with <see cref="OperationCanceledException"/>.
    /// </summary>
    internal sealed class TryTimeoutHandler : DelegatingHandler
    {
        /// <summary>No TSheets answer comes near this; a bigger one is not TSheets.</summary>
        public const int MaxResponseBytes = 1024 * 1024;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var options = RequestOptions.Of(request);
            var host = request.RequestUri.GetLeftPart(UriPartial.Authority);
            using (var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeoutSource.CancelAfter(options.TryTimeout);
                try
                {
                    var response = await base.SendAsync(request, timeoutSource.Token).ConfigureAwait(false);
                    try
                    {
                        response.Content = await ReadBoundedAsync(response.Content, host, options.Target, timeoutSource.Token).ConfigureAwait(false);
                        return response;
                    }
                    catch
                    {
                        response.Dispose();
                        throw;
                    }
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TSheetsAuthException(
                        ErrorIds.ServiceUnavailable,
                        options.Proxy == null
                            ? $"TSheets at {host} did not answer within {options.TryTimeout.TotalSeconds:0.#} seconds. Try again later."
                            : $"No answer from {host} through the proxy {options.Proxy} within {options.TryTimeout.TotalSeconds:0.#} seconds: the proxy or TSheets is slow or stuck. Try again later, or check the proxy.",
                        options.Target,
                        ex);
                }
                catch (HttpRequestException ex)
                {
                    throw new TSheetsAuthException(ErrorIds.ServiceUnavailable, $"TSheets at {host} could not be reached: {NetworkFailure.Explain(ex)}", options.Target, ex);
                }
                catch (IOException ex)
                {
                    var through = options.Proxy == null ? string.Empty : $" through the proxy {options.Proxy}";
                    throw new TSheetsAuthException(ErrorIds.ServiceUnavailable, $"The connection to TSheets at {host}{through} failed: {NetworkFailure.Innermost(ex)}", options.Target, ex);
                }
            }
        }

        /// <summary>The body, read whole into memory (an empty one for none), or <c>InvalidServerResponse</c> when it is too large.</summary>
        private static async Task<HttpContent> ReadBoundedAsync(HttpContent? content, string host, object? target, CancellationToken cancellationToken)
        {
            if (content == null)
            {
                return new ByteArrayContent(Array.Empty<byte>());
            }

            if (content.Headers.ContentLength > MaxResponseBytes)
            {
                throw TooLarge(host, target);
            }

            byte[] body;
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

                body = buffer.ToArray();
            }

            var whole = new ByteArrayContent(body);
            foreach (var header in content.Headers)
            {
                whole.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            // The length of what was read, whatever the server announced (a decompressed body is longer).
            whole.Headers.ContentLength = body.Length;
            content.Dispose();
            return whole;
        }

        private static TSheetsAuthException TooLarge(string host, object? target) =>
            new TSheetsAuthException(
                ErrorIds.InvalidServerResponse,
                $"The answer from {host} is larger than {MaxResponseBytes / 1024} KB, which no TSheets answer is.",
                target);
    }
}
