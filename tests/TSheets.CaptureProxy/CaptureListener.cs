using System.Net;
using System.Net.Sockets;

namespace TSheets.CaptureProxy;

/// <summary>
/// The proxy port: a loopback <see cref="TcpListener"/> (bound when constructed, so its URL is known before the
/// ready line) that reads what each connection sends, records it, answers, and closes. Nothing is ever forwarded.
/// </summary>
internal sealed class CaptureListener : BackgroundService
{
    // Long enough for a slow client on a busy machine to finish its request; a connection that sends nothing
    // is then closed so that it holds nothing for the rest of the run.
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CaptureLog _log;

    public CaptureListener(CaptureLog log)
    {
        _log = log;
        _listener.Start();
    }

    public string ProxyUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(stoppingToken);
                // Counted at once: a connection that never sends a byte still reached the proxy.
                int connection = _log.ConnectionAccepted();
                _ = HandleAsync(client, connection, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
        finally
        {
            _listener.Stop();
        }
    }

    private async Task HandleAsync(TcpClient client, int connection, CancellationToken stoppingToken)
    {
        using (client)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(ReadTimeout);
            var stream = client.GetStream();
            try
            {
                var arrival = await ArrivalReader.ReadAsync(stream, connection, timeout.Token);
                if (arrival is null)
                {
                    return;
                }

                // Recorded before the answer goes out: a client that has its answer can count on the record.
                _log.Add(arrival);
                await stream.WriteAsync(_log.Answer.ToBytes(), timeout.Token);
                await stream.FlushAsync(timeout.Token);
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away or the run is ending: what arrived (if anything) is already recorded.
            }
        }
    }
}
