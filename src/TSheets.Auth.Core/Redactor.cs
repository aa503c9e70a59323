using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace TSheets.Auth
{
    /// <summary>
    /// The one place that removes secrets from text the module writes (messages, exceptions,
    /// verbose text). It knows the shapes TSheets secrets take and, per call, the exact values
    /// in play; server-supplied text always passes through here before a user can see it.
    /// </summary>
    public static class Redactor
    {
        public const string Mask = "***";

        private static readonly Regex Shapes = new Regex(
            // TSheets access tokens and codes (S.7__..., S.19__...), 40+ hex digits (refresh tokens,
            // client secrets; client IDs are shorter and stay readable), bearer headers, and
            // secret-named form or JSON fields.
            @"S\.\d+__[A-Za-z0-9_\-]+"
            + @"|\b[0-9A-Fa-f]{40,}\b"
            + @"|(?<=\bBearer\s+)[^\s""',;]+"
            + @"|(?<=\b(?:access_token|refresh_token|client_secret|code|token)=)[^&\s""']+"
            + @"|(?<=""(?:access_token|refresh_token|client_secret|code)""\s*:\s*"")[^""]*",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        /// <summary>Returns <paramref name="text"/> with every secret-shaped value and every given value masked.</summary>
        public static string Scrub(string text, IEnumerable<string> knownSecrets = null)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text;
            }

            if (knownSecrets != null)
            {
                foreach (var secret in knownSecrets)
                {
                    // Very short values would mask ordinary words; real secrets are long.
                    if (!string.IsNullOrEmpty(secret) && secret.Length >= 6)
                    {
                        text = text.Replace(secret, Mask);
                    }
                }
            }

            return Shapes.Replace(text, Mask);
        }
    }
}
