using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace TSheets.Auth.Common
{
    /// <summary>
    /// Removes secrets from text, in two ways. Text from outside (a server's body, a vault's
    /// message, the user's own input) is scrubbed where it enters a message, by
    /// <see cref="ScrubOutside"/>: the exact secrets the caller knows are in play, then every value
    /// shaped like a TSheets secret. At the boundary, an instance made by the composition root masks
    /// the exact secrets in play in the process (the session's tokens and client secrets, the CI
    /// token) from every report and error, whatever their shape; shapes are not applied there, so
    /// the module's own sentences read whole ("Basic in an HTTP Basic header").
    /// </summary>
    internal sealed class Redactor
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

        private readonly Func<IEnumerable<string?>> secretsInPlay;

        /// <param name="secretsInPlay">The process's secrets, read only when there is text to scrub (the rare path).</param>
        public Redactor(Func<IEnumerable<string?>> secretsInPlay) => this.secretsInPlay = secretsInPlay ?? throw new ArgumentNullException(nameof(secretsInPlay));

        /// <summary>Text from outside, as it may enter a message: <paramref name="knownSecrets"/> and every secret-shaped value masked.</summary>
        public static string? ScrubOutside(string? text, IEnumerable<string?>? knownSecrets = null)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text;
            }

            return Shapes.Replace(MaskExact(text!, knownSecrets), Mask);
        }

        /// <summary>Text for the host: every secret in play (and <paramref name="more"/>) masked, whatever its shape.</summary>
        public string? Scrub(string? text, IEnumerable<string?>? more = null) =>
            string.IsNullOrEmpty(text) ? text : MaskExact(text!, secretsInPlay().Concat(more ?? Enumerable.Empty<string?>()));

        /// <summary>
        /// The error with every secret in play masked from its message and from the messages of
        /// the module's errors it was caused by: the same ID, target, status and server error. The
        /// error itself when there was nothing to mask.
        /// </summary>
        public TSheetsAuthException Scrub(TSheetsAuthException error, IEnumerable<string?>? more = null)
        {
            var secrets = secretsInPlay().Concat(more ?? Enumerable.Empty<string?>()).ToList();
            return Clean(error, secrets);
        }

        private static TSheetsAuthException Clean(TSheetsAuthException error, IReadOnlyList<string?> secrets)
        {
            var inner = error.InnerException is TSheetsAuthException cause ? Clean(cause, secrets) : error.InnerException;
            var message = MaskExact(error.Message, secrets);
            if (ReferenceEquals(inner, error.InnerException) && string.Equals(message, error.Message, StringComparison.Ordinal))
            {
                return error;
            }

            return new TSheetsAuthException(error.ErrorId, message, error.Target, inner) { StatusCode = error.StatusCode, ServerError = error.ServerError, NotAConnection = error.NotAConnection };
        }

        private static string MaskExact(string text, IEnumerable<string?>? secrets)
        {
            if (string.IsNullOrEmpty(text) || secrets == null)
            {
                return text;
            }

            foreach (var secret in secrets.OfType<string>().Where(s => s.Length >= MinimumSecretLength).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length))
            {
                text = text.Replace(secret, Mask);
            }

            return text;
        }
    }
}
