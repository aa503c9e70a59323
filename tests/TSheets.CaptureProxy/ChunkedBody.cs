using System.Globalization;
using System.Text;

namespace TSheets.CaptureProxy;

/// <summary>Decodes a chunked body (RFC 9112 §7.1) once all of it, up to the last chunk and trailers, has arrived.</summary>
internal static class ChunkedBody
{
    /// <returns>The decoded body, or null while more bytes are needed (or the framing is broken).</returns>
    public static byte[]? TryDecode(List<byte> bytes)
    {
        var body = new List<byte>();
        int position = 0;
        while (true)
        {
            int lineEnd = FindCrLf(bytes, position);
            if (lineEnd < 0)
            {
                return null;
            }

            string sizeText = Encoding.ASCII.GetString(bytes.GetRange(position, lineEnd - position).ToArray()).Split(';')[0].Trim();
            if (!int.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int size) || size < 0)
            {
                return null;
            }

            position = lineEnd + 2;
            if (size == 0)
            {
                // Trailer fields, then the blank line that ends the message.
                while (true)
                {
                    int trailerEnd = FindCrLf(bytes, position);
                    if (trailerEnd < 0)
                    {
                        return null;
                    }

                    if (trailerEnd == position)
                    {
                        return [.. body];
                    }

                    position = trailerEnd + 2;
                }
            }

            if (bytes.Count < position + size + 2)
            {
                return null;
            }

            body.AddRange(bytes.GetRange(position, size));
            position += size + 2;
        }
    }

    private static int FindCrLf(List<byte> bytes, int start)
    {
        for (int i = start; i + 1 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}
