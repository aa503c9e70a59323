using System.Globalization;
using System.Text;

namespace TSheets.CaptureProxy;

/// <summary>
/// Reads one request from a connection, as a proxy would receive it: the head up to the blank line, then a body by
/// Content-Length or chunked. Keeps every byte it read, so a record shows what arrived even when it was not HTTP
/// or stopped half way. Limits keep a runaway client from filling memory.
/// </summary>
internal static class ArrivalReader
{
    private const int MaxHeadBytes = 64 * 1024;
    private const int MaxBodyBytes = 1024 * 1024;
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] Continue = "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray();

    /// <returns>The arrival, or null when the connection closed (or timed out) without sending a byte.</returns>
    public static async Task<CapturedRequest?> ReadAsync(Stream stream, int connection, CancellationToken cancellationToken)
    {
        string receivedAt = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var received = new List<byte>();
        var buffer = new byte[16 * 1024];
        int headEnd = -1;
        bool open = true;

        async Task<bool> ReadMoreAsync()
        {
            int count;
            try
            {
                count = await stream.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                count = 0;
            }

            received.AddRange(buffer.AsSpan(0, count));
            return count > 0;
        }

        // The head. A first byte that cannot start a method (a TLS hello's 0x16) means this is not HTTP.
        while (headEnd < 0 && received.Count < MaxHeadBytes && (open = await ReadMoreAsync()))
        {
            if (!IsTokenByte(received[0]))
            {
                break;
            }

            headEnd = IndexOf(received, HeadEnd);
        }

        if (received.Count == 0)
        {
            return null;
        }

        if (headEnd < 0)
        {
            return NotParsed(connection, receivedAt, received, isHttp: IsTokenByte(received[0]));
        }

        string[] lines = Encoding.Latin1.GetString(received.GetRange(0, headEnd).ToArray()).Split("\r\n");
        string[] requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3)
        {
            return NotParsed(connection, receivedAt, received, isHttp: false);
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            string name = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out string? earlier) ? $"{earlier}, {value}" : value;
        }

        if (headers.TryGetValue("Expect", out string? expect) && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase))
        {
            await stream.WriteAsync(Continue, cancellationToken);
        }

        // The body, as far as the client sends it.
        int bodyStart = headEnd + HeadEnd.Length;
        byte[]? body = null;
        bool chunked = headers.TryGetValue("Transfer-Encoding", out string? encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase);
        long length = headers.TryGetValue("Content-Length", out string? lengthText) && long.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed)
            ? Math.Min(parsed, MaxBodyBytes)
            : 0;
        while (open)
        {
            body = chunked ? ChunkedBody.TryDecode(received.GetRange(bodyStart, received.Count - bodyStart))
                : received.Count - bodyStart >= length ? received.GetRange(bodyStart, (int)length).ToArray()
                : null;
            if (body is not null || received.Count - bodyStart > MaxBodyBytes)
            {
                break;
            }

            open = await ReadMoreAsync();
        }

        bool complete = body is not null;
        body ??= received.GetRange(bodyStart, received.Count - bodyStart).ToArray();
        return new CapturedRequest(connection, receivedAt, IsHttp: true, requestLine[0], requestLine[1], requestLine[2], headers,
            Encoding.UTF8.GetString(body), complete, Encoding.UTF8.GetString(received.ToArray()), FirstBytes(received));
    }

    private static CapturedRequest NotParsed(int connection, string receivedAt, List<byte> received, bool isHttp) =>
        new(connection, receivedAt, isHttp, null, null, null, new Dictionary<string, string>(), "", Complete: false,
            Encoding.UTF8.GetString(received.ToArray()), FirstBytes(received));

    private static string FirstBytes(List<byte> received) =>
        Convert.ToHexString(received.GetRange(0, Math.Min(16, received.Count)).ToArray());

    // RFC 9110 tchar, enough to tell a method's first letter from a binary protocol's first byte.
    private static bool IsTokenByte(byte value) => value is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z');

    private static int IndexOf(List<byte> haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Count; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j])
            {
                j++;
            }

            if (j == needle.Length)
            {
                return i;
            }
        }

        return -1;
    }
}
