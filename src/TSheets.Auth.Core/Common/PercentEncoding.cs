using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace TSheets.Auth.Common
{
    /// <summary>
    /// RFC 3986 percent-encoding (everything but unreserved characters, over UTF-8), the same on
    /// every runtime; and the matching form encoding and decoding.
    /// </summary>
    internal static class PercentEncoding
    {
        public static string Encode(string? value)
        {
            if (string.IsNullOrEmpty(value))
            {
                return string.Empty;
            }

            var builder = new StringBuilder(value!.Length + 16);
            foreach (var b in Encoding.UTF8.GetBytes(value))
            {
                var c = (char)b;
                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~')
                {
                    builder.Append(c);
                }
                else
                {
                    builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                }
            }

            return builder.ToString();
        }

        /// <summary>An <c>application/x-www-form-urlencoded</c> body.</summary>
        public static string EncodeForm(IEnumerable<KeyValuePair<string, string?>> fields)
        {
            var builder = new StringBuilder();
            foreach (var field in fields)
            {
                if (builder.Length > 0)
                {
                    builder.Append('&');
                }

                builder.Append(Encode(field.Key)).Append('=').Append(Encode(field.Value));
            }

            return builder.ToString();
        }

        /// <summary>Decodes one query or form component (<c>+</c> is a space); malformed escapes stay as they are.</summary>
        public static string Decode(string? value)
        {
            if (string.IsNullOrEmpty(value))
            {
                return string.Empty;
            }

            var bytes = new List<byte>(value!.Length);
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if (c == '+')
                {
                    bytes.Add((byte)' ');
                }
                else if (c == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
                {
                    bytes.Add(byte.Parse(value.Substring(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                }
                else
                {
                    bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
                }
            }

            return Encoding.UTF8.GetString(bytes.ToArray());
        }

        /// <summary>Splits a query (with or without the leading <c>?</c>) into decoded pairs, in order, duplicates kept.</summary>
        public static List<KeyValuePair<string, string>> ParseQuery(string? query)
        {
            var pairs = new List<KeyValuePair<string, string>>();
            if (string.IsNullOrEmpty(query))
            {
                return pairs;
            }

            if (query![0] == '?')
            {
                query = query.Substring(1);
            }

            foreach (var part in query.Split('&'))
            {
                if (part.Length == 0)
                {
                    continue;
                }

                var equals = part.IndexOf('=');
                var name = equals < 0 ? part : part.Substring(0, equals);
                var value = equals < 0 ? string.Empty : part.Substring(equals + 1);
                pairs.Add(new KeyValuePair<string, string>(Decode(name), Decode(value)));
            }

            return pairs;
        }

        private static bool IsHex(char c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
