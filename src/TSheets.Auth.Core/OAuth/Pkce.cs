using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace TSheets.Auth.OAuth
{
    /// <summary>Proof Key for Code Exchange (RFC 7636), S256 only.</summary>
    internal static class Pkce
    {
        public const string Method = "S256";

        /// <summary>A fresh verifier: 32 bytes from a cryptographic RNG, base64url (43 characters).</summary>
        public static string NewVerifier() => RandomText(32);

        /// <summary>BASE64URL(SHA256(ASCII(verifier))).</summary>
        public static string Challenge(string verifier)
        {
            using (var sha = SHA256.Create())
            {
                return Base64Url(sha.ComputeHash(Encoding.ASCII.GetBytes(verifier)));
            }
        }

        /// <summary>43 to 128 unreserved characters, as RFC 7636 §4.1 says.</summary>
        public static bool IsValidVerifier(string verifier) =>
            verifier != null && verifier.Length >= 43 && verifier.Length <= 128
            && verifier.All(c => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~');

        /// <summary><paramref name="bytes"/> random bytes, base64url without padding.</summary>
        public static string RandomText(int bytes)
        {
            var buffer = new byte[bytes];
            using (var rng = RandomNumberGenerator.Create())
            {
                rng.GetBytes(buffer);
            }

            return Base64Url(buffer);
        }

        public static string Base64Url(byte[] bytes) =>
            Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
