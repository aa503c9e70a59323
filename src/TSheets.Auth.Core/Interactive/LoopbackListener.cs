using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Http;

namespace TSheets.Auth.Interactive
{
    /// <summary>
    /// Receives the redirect on a loopback redirect URI: a small HTTP/1.1 responder on a socket (not
    /// HttpListener, which goes through http.sys on Windows and refuses some prefixes to non-admin
    /// users). It binds exactly the redirect URI's loopback address and port (port 0: one the OS
    /// picks, as RFC 8252 §7.3 allows), bounds every read, and is gone when disposed.
    /// </summary>
    internal sealed class LoopbackListener : IDisposable
    {
        private readonly List<TcpListener> sockets = new List<TcpListener>();
        private readonly ConcurrentDictionary<TcpClient, DateTime> connections = new ConcurrentDictionary<TcpClient, DateTime>();
        private readonly CancellationTokenSource stopping = new CancellationTokenSource();
        private readonly Uri requested;
        private readonly ListenerLimits limits;
        private readonly object? target;
        private readonly CallbackHandler handler;
        private int disposed;

        private LoopbackListener(Uri redirectUri, string expectedState, ListenerLimits? limits, object? target)
        {
            requested = redirectUri;
            RedirectUri = redirectUri;
            this.limits = limits ?? new ListenerLimits();
            this.target = target;
            handler = new CallbackHandler(string.IsNullOrEmpty(redirectUri.AbsolutePath) ? "/" : redirectUri.AbsolutePath, expectedState, target);
        }

        /// <summary>The redirect URI it listens on (with the port the OS picked, when port 0 was asked for).</summary>
        public Uri RedirectUri { get; private set; }

        /// <summary>Callbacks ignored so far: their <c>state</c> was missing or wrong, or they carried no usable code.</summary>
        public int RejectedCount => handler.RejectedCount;

        /// <summary>True for the redirect URIs this listener serves: <c>http://</c> on a loopback host.</summary>
        public static bool Supports(Uri? redirectUri) =>
            redirectUri != null && redirectUri.IsAbsoluteUri && redirectUri.Scheme == Uri.UriSchemeHttp && redirectUri.IsLoopback;

        /// <summary>Starts listening; <see cref="ErrorIds.RedirectPortInUse"/> when the port is taken.</summary>
        public static LoopbackListener Start(Uri redirectUri, string expectedState, object? target = null, ListenerLimits? limits = null)
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
                    return await handler.Outcome.WaitOrCancel(timer.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    var error = handler.LastRejectedError;
                    var ignored = RejectedCount == 0
                        ? string.Empty
                        : $" {RejectedCount} request(s) to it without the expected state or a usable code were ignored" + (error == null ? "." : $" (the last one reported '{error}').");
                    throw new TSheetsAuthException(
                        ErrorIds.AuthorizationTimedOut,
                        $"No sign-in reached {UriRules.Describe(RedirectUri)} within {timeout.TotalSeconds:0.#} seconds.{ignored} The likely cause: the browser never came back here because TSheets showed an error page instead, most often because the redirect URI registered for the app in QuickBooks Time (Feature Add-ons > API) is not exactly {UriRules.Describe(RedirectUri)}; or the sign-in was not finished in the browser. Check the registered redirect URI, then run Connect-TSheets again (raise -TimeoutSec only if you need more time to sign in).",
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

            handler.Cancel();
            stopping.Dispose();
        }

        private void Bind()
        {
            var host = requested.DnsSafeHost;
            var addresses = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
                ? new[] { IPAddress.Loopback, IPAddress.IPv6Loopback }
                : new[] { IPAddress.Parse(host) };
            var port = requested.Port;
            foreach (var address in addresses)
            {
                var socket = new TcpListener(address, port);
                if (Environment.OSVersion.Platform == PlatformID.Win32NT)
                {
                    // Another program must not be able to bind the same port beside us on Windows.
                    socket.ExclusiveAddressUse = true;
                }

                try
                {
                    socket.Start(limits.MaxConnections);
                    sockets.Add(socket);
                    port = ((IPEndPoint)socket.LocalEndpoint).Port;
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse || ex.SocketErrorCode == SocketError.AccessDenied)
                {
                    socket.Stop();
                    throw new TSheetsAuthException(
                        ErrorIds.RedirectPortInUse,
                        $"Port {port} on {address} cannot be used (it is in use or reserved), so the redirect to {UriRules.Describe(requested)} cannot be received. Close the program using it, or register another redirect URI.",
                        target,
                        ex);
                }
                catch (SocketException) when (address.AddressFamily == AddressFamily.InterNetworkV6 && sockets.Count > 0)
                {
                    // No IPv6 on this machine: 'localhost' then means 127.0.0.1 alone.
                    socket.Stop();
                }
                catch (SocketException ex)
                {
                    socket.Stop();
                    throw new TSheetsAuthException(
                        ErrorIds.InvalidRedirectUri,
                        $"The redirect URI {UriRules.Describe(requested)} cannot be listened on here ({address}: {ex.SocketErrorCode}). Use a loopback address this machine has, such as http://127.0.0.1:{port}/ or http://localhost:{port}/.",
                        target,
                        ex);
                }
            }

            RedirectUri = requested.Port == port ? requested : new UriBuilder(requested) { Port = port }.Uri;
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
                        var head = await CallbackHandler.ReadHeadAsync(stream, limits.MaxRequestHeadBytes, timeout.Token).ConfigureAwait(false);
                        Action? settle = null;
                        var response = head == null ? CallbackHandler.Page(431, "Request too large", "This request is too large for a sign-in answer.") : handler.Handle(head, out settle);
                        try
                        {
                            await stream.WriteAsync(response, 0, response.Length, timeout.Token).ConfigureAwait(false);
                            await stream.FlushAsync(timeout.Token).ConfigureAwait(false);
                            client.Client.Shutdown(SocketShutdown.Send);
                        }
                        finally
                        {
                            // Only now may the wait end (and the listener be disposed): the browser has
                            // its page. A browser that hung up does not lose the sign-in.
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
    }
}
