using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace TSheets.Auth
{
    /// <summary>
    /// The one place that removes secrets from text the module writes (messages, exceptions,
    /// verbose text). It masks the exact secrets in play whatever their shape (those given, the
    /// session's tokens and client secrets, the CI token), then the shapes TSheets secrets take.
    /// </summary>
    internal static class Redactor
    {
        public const string Mask = "***";

        /// <summary>Shorter values would mask ordinary words; no real secret is this short.</summary>
        private const int MinimumSecretLength = 4;

        private static readonly Regex Shapes = new Regex(
            // TSheets access tokens and codes (S.7__..., S.19__...), 40+ hex digits (refresh tokens,
            // client secrets; client IDs are shorter and stay readable), bearer and basic headers,
            // and secret-named form or JSON fields.
            @"S\.\d+__[A-Za-z0-9_\-]+"
            + @"|\b[0-9A-Fa-f]{40,}\b"
            + @"|(?<=\b(?:Bearer|Basic)\s+)[^\s""',;]+"
            + @"|(?<=\b(?:access_token|refresh_token|client_secret|code|code_verifier|token)=)[^&\s""']+"
            + @"|(?<=""(?:access_token|refresh_token|client_secret|code|code_verifier)""\s*:\s*"")[^""]*",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        /// <summary>
        /// The secrets of the process beside the ones a caller names (set by the session store): only
        /// read when there is text to scrub, which is the rare path.
        /// </summary>
        internal static Func<IEnumerable<string>> SecretsInPlay { get; set; } = () => Enumerable.Empty<string>();

        /// <summary>Returns <paramref name="text"/> with every known secret and every secret-shaped value masked.</summary>
        public static string Scrub(string text, IEnumerable<string> knownSecrets = null)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text;
            }

            var secrets = (knownSecrets ?? Enumerable.Empty<string>())
                .Concat(SecretsInPlay())
                .Where(secret => secret != null && secret.Length >= MinimumSecretLength)
                .Distinct(StringComparer.Ordinal)
                .OrderByDescending(secret => secret.Length);
            foreach (var secret in secrets)
            {
                text = text.Replace(secret, Mask);
            }

            return Shapes.Replace(text, Mask);
        }
    }
}
