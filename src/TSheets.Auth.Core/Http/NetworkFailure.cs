using System;
using TSheets.Auth.Common;

namespace TSheets.Auth.Http
{
    /// <summary>What went wrong on the network, in words: refused, name not found, TLS, or the runtime's own message (scrubbed: it may quote an address).</summary>
    internal static class NetworkFailure
    {
        public static string Explain(Exception ex) => Redactor.ScrubOutside(Words(ex)) ?? string.Empty;

        public static string Innermost(Exception ex)
        {
            while (ex.InnerException != null)
            {
                ex = ex.InnerException;
            }

            return Redactor.ScrubOutside(ex.Message) ?? string.Empty;
        }

        private static string Words(Exception ex)
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
    }
}
