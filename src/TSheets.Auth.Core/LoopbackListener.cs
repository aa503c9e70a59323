using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth
{
    /// <summary>Bounds on what the redirect listener accepts from any client.</summary>
    public sealed class ListenerLimits
    {
        /// <summary>Request line and headers together; a browser's callback is a few hundred bytes.</summary>
        public int MaxRequestHeadBytes { get; set; } = 16 * 1024;

        /// <summary>How long a client may take to send its request head.</summary>
        public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>Connections handled at once; more are closed at once.</summary>
        public int MaxConnections { get; set; } = 64;
    }

    /// <summary>
    /// Receives TSheets' redirect on a loopback redirect URI: a small HTTP/1.1 responder on a
    /// socket (not HttpListener, which goes through http.sys on Windows and refuses some prefixes
    /// to non-admin users). It binds exactly the redirect URI's loopback address and port, answers
    /// only its path, checks <c>state</c> in constant time, ignores (and counts) callbacks that do
    /// not carry the expected state, bounds every read, and is gone when disposed.
    /// </summary>
    public sealed class LoopbackListener : IDisposable
    {
        private readonly List<TcpListener> sockets = new List<TcpListener>();
        private readonly ConcurrentDictionary<TcpClient, DateTime> connections = new ConcurrentDictionary<TcpClient, DateTime>();
        private readonly TaskCompletionSource<string> outcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource stopping = new CancellationTokenSource();
        private readonly Uri redirectUri;
        private readonly string expectedState;
        private readonly string path;
        private readonly ListenerLimits limits;
        private readonly object target;
        private int rejected;
        private string lastRejectedError;
        private int disposed;

        private LoopbackListener(Uri redirectUri, string expectedState, ListenerLimits limits, object target)
        {
            this.redirectUri = redirectUri;
            this.expectedState = expectedState;
            this.limits = limits ?? new ListenerLimits();
            this.target = target;
            path = string.IsNullOrEmpty(redirectUri.AbsolutePath) ? "/" : redirectUri.AbsolutePath;
        }

        /// <summary>Callbacks ignored so far because their <c>state</c> was missing or wrong.</summary>
        public int RejectedCount => Volatile.Read(ref rejected);

        /// <summary>True for the redirect URIs this listener serves: <c>http://</c> on a loopback host.</summary>
        public static bool Supports(Uri redirectUri) =>
            redirectUri != null && redirectUri.IsAbsoluteUri && redirectUri.Scheme == Uri.UriSchemeHttp && redirectUri.IsLoopback;

        /// <summary>Starts listening; <see cref="ErrorIds.RedirectPortInUse"/> when the port is taken.</summary>
        public static LoopbackListener Start(Uri redirectUri, string expectedState, object target = null, ListenerLimits limits = null)
        {
            if (!Supports(redirectUri))
            {
                throw new ArgumentException("The redirect URI is not http:// on a loopback host.", nameof(redirectUri));
            }

            var listener = new LoopbackListener(redirectUri, expectedState, limits, target);
            try
            {
                listener.Bind();
            }
            catch
            {
                listener.Dispose();
                throw;
            }

            foreach (var socket in listener.sockets)
            {
                _ = listener.AcceptLoopAsync(socket);
            }

            return listener;
        }

        /// <summary>
        /// Waits for the callback and returns its code. <see cref="ErrorIds.AuthorizationDenied"/>
        /// for an error callback with the right state, <see cref="ErrorIds.AuthorizationTimedOut"/>
        /// after <paramref name="timeout"/>; <paramref name="cancellationToken"/> (Ctrl+C) ends it at once.
        /// </summary>
        public async Task<string> WaitForCodeAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            using (var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timer.CancelAfter(timeout);
                try
                {
                    return await outcome.Task.WaitOrCancel(timer.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    var ignored = RejectedCount == 0
                        ? string.Empty
                        : $" {RejectedCount} request(s) to it without the expected state were ignored"
                          + (lastRejectedError == null ? "." : $" (the last one reported '{lastRejectedError}').");
                    throw new TSheetsAuthException(
                        ErrorIds.AuthorizationTimedOut,
                        $"No sign-in reached {UriRules.Describe(redirectUri)} within {timeout.TotalSeconds:0.#} seconds.{ignored} Run Connect-TSheets again, or raise -TimeoutSec.",
                        target);
                }
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 1)
            {
                return;
            }

            stopping.Cancel();
            foreach (var socket in sockets)
            {
                socket.Stop();
            }

            foreach (var connection in connections.Keys)
            {
                connection.Dispose();
            }

            outcome.TrySetCanceled();
            stopping.Dispose();
        }

        private void Bind()
        {
            var host = redirectUri.DnsSafeHost;
            var addresses = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
                ? new[] { IPAddress.Loopback, IPAddress.IPv6Loopback }
                : new[] { IPAddress.Parse(host) };
            foreach (var address in addresses)
            {
                var socket = new TcpListener(address, redirectUri.Port);
                if (Environment.OSVersion.Platform == PlatformID.Win32NT)
                {
                    // Another program must not be able to bind the same port beside us on Windows.
                    socket.ExclusiveAddressUse = true;
                }

                try
                {
                    socket.Start(limits.MaxConnections);
                    sockets.Add(socket);
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse || ex.SocketErrorCode == SocketError.AccessDenied)
                {
                    throw new TSheetsAuthException(
                        ErrorIds.RedirectPortInUse,
                        $"Port {redirectUri.Port} on {address} cannot be used (it is in use or reserved), so the redirect to {UriRules.Describe(redirectUri)} cannot be received. Close the program using it, or register another redirect URI.",
                        target,
                        ex);
                }
                catch (SocketException) when (address.AddressFamily == AddressFamily.InterNetworkV6 && sockets.Count > 0)
                {
                    // No IPv6 on this machine: 'localhost' then means 127.0.0.1 alone.
                }
            }
        }

        private async Task AcceptLoopAsync(TcpListener socket)
        {
            while (!stopping.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await socket.AcceptTcpClientAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is ObjectDisposedException || ex is SocketException || ex is InvalidOperationException)
                {
                    return;
                }

                if (Volatile.Read(ref disposed) == 1)
                {
                    client.Dispose();
                    return;
                }

                if (connections.Count >= limits.MaxConnections)
                {
                    // Full (a flood of idle connections): drop the oldest, so the newest, which may
                    // be the browser's real callback, is still served.
                    var oldest = connections.OrderBy(c => c.Value).Select(c => c.Key).FirstOrDefault();
                    if (oldest != null && connections.TryRemove(oldest, out _))
                    {
                        oldest.Dispose();
                    }
                }

                connections[client] = DateTime.UtcNow;
                _ = ServeAsync(client);
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            try
            {
                using (client)
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token))
                {
                    timeout.CancelAfter(limits.ReadTimeout);
                    // Closing the socket is what unblocks a read on every runtime.
                    using (timeout.Token.Register(client.Dispose))
                    {
                        var stream = client.GetStream();
                        var head = await ReadHeadAsync(stream, timeout.Token).ConfigureAwait(false);
                        Action settle = null;
                        var response = head == null ? Page(431, "Request too large", "This request is too large for a sign-in answer.") : Handle(head, out settle);
                        try
                        {
                            await stream.WriteAsync(response, 0, response.Length, timeout.Token).ConfigureAwait(false);
                            await stream.FlushAsync(timeout.Token).ConfigureAwait(false);
                            client.Client.Shutdown(SocketShutdown.Send);
                        }
                        finally
                        {
                            // Only now may the wait end (and the cmdlet dispose the listener): the
                            // browser has its page. A browser that hung up does not lose the sign-in.
                            settle?.Invoke();
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException || ex is OperationCanceledException)
            {
                // A client that sends junk, stalls or hangs up gets nothing more; the wait goes on.
            }
            finally
            {
                connections.TryRemove(client, out _);
            }
        }

        /// <summary>The request head (up to the blank line), or null when it exceeds the limit.</summary>
        private async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
        {
            var buffer = new byte[Math.Min(4096, limits.MaxRequestHeadBytes)];
            var head = new StringBuilder();
            while (true)
            {
                var read = await stream.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException("The client closed the connection before sending a request.");
                }

                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                var end = head.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end >= 0)
                {
                    return head.ToString(0, end);
                }

                if (head.Length > limits.MaxRequestHeadBytes)
                {
                    return null;
                }
            }
        }

        /// <summary>The answer to one request; <paramref name="settle"/> ends the wait once the answer is sent.</summary>
        internal byte[] Handle(string head, out Action settle)
        {
            settle = null;
            var requestLine = head.Split(new[] { "\r\n" }, 2, StringSplitOptions.None)[0].Split(' ');
            if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            {
                return Page(400, "Bad request", "This is not an HTTP request TSheets.Auth understands.");
            }

            var requestTarget = requestLine[1];
            var queryStart = requestTarget.IndexOf('?');
            var requestPath = queryStart < 0 ? requestTarget : requestTarget.Substring(0, queryStart);
            if (!string.Equals(requestPath, path, StringComparison.Ordinal))
            {
                return Page(404, "Not found", "Nothing here.");
            }

            if (requestLine[0] != "GET")
            {
                return Page(405, "Method not allowed", "The sign-in answer arrives with GET.");
            }

            if (outcome.Task.IsCompleted)
            {
                return Page(409, "Already answered", "This sign-in has already received its answer. Return to PowerShell.");
            }

            var answer = AuthorizationResponse.FromQuery(queryStart < 0 ? string.Empty : requestTarget.Substring(queryStart));
            if (answer.States.Length != 1 || !ConstantTime.Equals(answer.States[0], expectedState))
            {
                Interlocked.Increment(ref rejected);
                lastRejectedError = answer.Error == null ? null : Redactor.Scrub(Clip(answer.Error));
                return Page(400, "Not this sign-in", "This address does not carry the state of the sign-in in progress, so TSheets.Auth ignored it. Use the link PowerShell showed.");
            }

            try
            {
                var code = answer.GetCheckedCode(expectedState, target);
                settle = () => outcome.TrySetResult(code);
                return Page(200, "Signed in", "TSheets.Auth received the authorization. Return to PowerShell to see the result; you can close this tab.");
            }
            catch (TSheetsAuthException ex) when (ex.ErrorId == ErrorIds.AuthorizationDenied)
            {
                settle = () => outcome.TrySetException(ex);
                var description = answer.ErrorDescription ?? answer.Error;
                return Page(200, "Not signed in", "TSheets did not authorize the app: " + Clip(description) + ". Return to PowerShell; run Connect-TSheets again to retry.");
            }
            catch (TSheetsAuthException)
            {
                Interlocked.Increment(ref rejected);
                return Page(400, "Not a sign-in answer", "This address carries no usable authorization code, so TSheets.Auth ignored it.");
            }
        }

        private static string Clip(string text) => text.Length <= 200 ? text : text.Substring(0, 200) + "...";

        /// <summary>A complete answer: short HTML that never echoes the code, and is not cached or referred.</summary>
        private static byte[] Page(int status, string title, string message)
        {
            var html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>TSheets.Auth: " + WebUtility.HtmlEncode(title)
                + "</title></head><body style=\"font-family:sans-serif;margin:3em\"><h1>" + WebUtility.HtmlEncode(title)
                + "</h1><p>" + WebUtility.HtmlEncode(Redactor.Scrub(message)) + "</p></body></html>";
            var body = Encoding.UTF8.GetBytes(html);
            var reason = status == 200 ? "OK" : title;
            var headers = string.Format(
                CultureInfo.InvariantCulture,
                "HTTP/1.1 {0} {1}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {2}\r\nCache-Control: no-store\r\nPragma: no-cache\r\n"
                + "Referrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\nConnection: close\r\n\r\n",
                status,
                reason,
                body.Length);
            var head = Encoding.ASCII.GetBytes(headers);
            var response = new byte[head.Length + body.Length];
            Buffer.BlockCopy(head, 0, response, 0, head.Length);
            Buffer.BlockCopy(body, 0, response, head.Length, body.Length);
            return response;
        }
    }
}
