using System;
using System.Net;
using System.Net.Sockets;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// The proxy a request goes through, for messages: a connection that fails on the way to a
    /// proxy is the proxy's failure, and saying "TSheets could not be reached" sends the person to
    /// the wrong place. Today every call uses the default proxy (the environment variables, else
    /// the system's settings), which is what the primary handlers use; explicit proxy options
    /// (<see cref="NetworkSettings"/>) must be asked here too when they come.
    /// </summary>
    internal static class ProxyInUse
    {
        /// <summary>Where the default proxy comes from, in words.</summary>
        public const string Settings = "HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY (either case), else the system's proxy settings";

        /// <summary>The proxy a request to <paramref name="uri"/> goes through, as scheme://host:port (never its user name or password); null when it goes direct.</summary>
        public static string? For(Uri uri)
        {
            try
            {
                var proxy = WebRequest.DefaultWebProxy;
                if (proxy == null || proxy.IsBypassed(uri))
                {
                    return null;
                }

                var through = proxy.GetProxy(uri);
                return through == null || through == uri || !through.IsAbsoluteUri ? null : $"{through.Scheme}://{through.Authority}";
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is NotSupportedException || ex is UriFormatException || ex is System.Security.SecurityException)
            {
                // A proxy setting that cannot be read says nothing useful here; the handler meets it too.
                return null;
            }
        }

        /// <summary>True when the connection itself failed (refused, no such host, unreachable, timed out): with a proxy in the way, the connection was to the proxy.</summary>
        public static bool IsConnectionFailure(Exception ex)
        {
            for (var inner = ex; inner != null; inner = inner.InnerException)
            {
                if (inner is SocketException socket)
                {
                    switch (socket.SocketErrorCode)
                    {
                        case SocketError.ConnectionRefused:
                        case SocketError.HostNotFound:
                        case SocketError.NoData:
                        case SocketError.TryAgain:
                        case SocketError.TimedOut:
                        case SocketError.HostUnreachable:
                        case SocketError.NetworkUnreachable:
                            return true;
                    }
                }
            }

            return false;
        }
    }
}
