using System.Text.RegularExpressions;

namespace TSheets.Auth.Common
{
    /// <summary>Making text from a server or a user safe to show: one line, no control characters, bounded.</summary>
    internal static class Text
    {
        private static readonly Regex Controls = new Regex(@"[\p{Cc}\p{Cf}]", RegexOptions.CultureInvariant);
        private static readonly Regex Spaces = new Regex(@"\s+", RegexOptions.CultureInvariant);

        /// <summary>
        /// Removes control and format characters (ESC, CR, LF, BEL, C1 controls, bidi overrides): a
        /// server must not be able to forge a host line or drive the terminal (OSC 52, cursor moves).
        /// </summary>
        public static string? StripControls(string? text) =>
            string.IsNullOrEmpty(text) ? text : Controls.Replace(text!, string.Empty);

        /// <summary>White space runs become one space, controls go; null for nothing left.</summary>
        public static string? OneLine(string? text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            var line = StripControls(Spaces.Replace(text!.Trim(), " "))!;
            return line.Length == 0 ? null : line;
        }

        /// <summary>At most <paramref name="max"/> characters, with an ellipsis when cut.</summary>
        public static string? Clip(string? text, int max) =>
            text == null || text.Length <= max ? text : text.Substring(0, max) + "...";

        /// <summary>
        /// Server text as it may be shown: made one line without control characters first (so a
        /// secret split by an invisible character is whole again), then scrubbed of the given and
        /// known secrets (before the cut, so a secret straddling it cannot leak its first half),
        /// then clipped.
        /// </summary>
        public static string? FromServer(string? text, int max, System.Collections.Generic.IEnumerable<string?>? secrets = null) =>
            Clip(Redactor.ScrubOutside(OneLine(text), secrets), max);
    }
}
