using System.Text;

namespace TSheets.CaptureProxy;

/// <summary>What reached the proxy port, in arrival order, and what it answers. Safe from any thread.</summary>
internal sealed class CaptureLog
{
    private readonly Lock _gate = new();
    private readonly List<CapturedRequest> _requests = [];
    private int _connections;
    private CaptureAnswer _answer = CaptureAnswer.BadGateway;

    public CaptureAnswer Answer
    {
        get { lock (_gate) { return _answer; } }
        set { lock (_gate) { _answer = value; } }
    }

    public int ConnectionAccepted()
    {
        lock (_gate)
        {
            return ++_connections;
        }
    }

    public void Add(CapturedRequest request)
    {
        lock (_gate)
        {
            _requests.Add(request);
        }
    }

    public CaptureSnapshot Snapshot(string proxyUrl)
    {
        lock (_gate)
        {
            return new CaptureSnapshot(proxyUrl, _connections, [.. _requests]);
        }
    }

    /// <summary>Forgets every arrival and restores the 502 answer; returns how many requests were forgotten.</summary>
    public int Reset()
    {
        lock (_gate)
        {
            int forgotten = _requests.Count;
            _requests.Clear();
            _connections = 0;
            _answer = CaptureAnswer.BadGateway;
            return forgotten;
        }
    }
}

/// <param name="Connections">Every connection accepted, including those that sent nothing (they have no request).</param>
internal sealed record CaptureSnapshot(string ProxyUrl, int Connections, IReadOnlyList<CapturedRequest> Requests);

/// <summary>
/// One connection's arrival. <see cref="IsHttp"/> false means the bytes were not an HTTP request (a TLS hello sent
/// straight to the proxy, for one): then only <see cref="Text"/> and <see cref="FirstBytes"/> say what came.
/// </summary>
/// <param name="Target">The request target as sent: host:port for CONNECT, the absolute URL for a proxied GET or POST.</param>
/// <param name="Headers">As sent (repeated names joined with ", "); names compare case-insensitively.</param>
/// <param name="Body">The body (Content-Length or chunked, decoded) as UTF-8 text.</param>
/// <param name="Complete">The head and the whole body arrived before the client stopped sending.</param>
/// <param name="Text">Every byte received on the connection as UTF-8 text: head and body, for "no secret in here" checks.</param>
/// <param name="FirstBytes">The first 16 bytes received, in hex (16 03 01 ... is a TLS hello).</param>
internal sealed record CapturedRequest(
    int Connection,
    string ReceivedAt,
    bool IsHttp,
    string? Method,
    string? Target,
    string? Version,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    bool Complete,
    string Text,
    string FirstBytes);

/// <summary>What the proxy port answers every request with; the connection is closed after it.</summary>
internal sealed record CaptureAnswer(int Status, string Reason, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public static CaptureAnswer BadGateway { get; } = new(502, "Bad Gateway",
        new Dictionary<string, string> { ["Content-Type"] = "text/plain; charset=utf-8" },
        "TSheets capture proxy: nothing is forwarded.\n");

    public byte[] ToBytes()
    {
        byte[] body = Encoding.UTF8.GetBytes(Body);
        var head = new StringBuilder();
        head.Append("HTTP/1.1 ").Append(Status).Append(' ').Append(Reason).Append("\r\n");
        foreach (var (name, value) in Headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("Content-Length: ").Append(body.Length).Append("\r\nConnection: close\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }
}
