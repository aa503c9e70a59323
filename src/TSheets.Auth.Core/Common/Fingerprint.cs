using System;
using System.Security.Cryptography;
using System.Text;

namespace TSheets.Auth.Common
{
    /// <summary>
    /// A short, one-way name for a token pair (64 bits of SHA-256): enough to tell two pairs
    /// apart in a non-secret record, useless for guessing the tokens (each has 160+ random bits).
    /// </summary>
    internal static class Fingerprint
    {
        public static string Of(params string?[]? parts)
        {
            using (var sha = SHA256.Create())
            {
                var bytes = Encoding.UTF8.GetBytes("TSheets.Auth fingerprint 1\n" + string.Join("\n", parts ?? Array.Empty<string?>()));
                var hash = sha.ComputeHash(bytes);
                var text = new StringBuilder(16);
                for (var i = 0; i < 8; i++)
                {
                    text.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                }

                return text.ToString();
            }
        }
    }
}
