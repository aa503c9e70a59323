using System;
using System.Globalization;
using System.Threading;
using TSheets.Auth.Common;
using TSheets.Auth.Reporting;

namespace TSheets.Auth.OAuth
{
    /// <summary>
    /// <c>TSHEETS_AUTH_GRANT_TIMEOUT_SEC</c>: each /grant call's timeout, 1 to 300 seconds (30 when
    /// unset). A value that is not one is ignored, and said so once per value and process, as for
    /// <c>TSHEETS_AUTH_RATE_LIMIT</c>: a typo must not pass for the setting silently.
    /// </summary>
    internal sealed class GrantTimeout
    {
        public const string Variable = "TSHEETS_AUTH_GRANT_TIMEOUT_SEC";

        public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

        private readonly Func<string?> read;
        private string? lastWarned;

        /// <param name="read">Reads <see cref="Variable"/> (at each call: a script may set it late).</param>
        public GrantTimeout(Func<string?> read) => this.read = read ?? throw new ArgumentNullException(nameof(read));

        /// <summary>The timeout now in force.</summary>
        public TimeSpan Current => Parse(read(), out _);

        /// <summary>The timeout <paramref name="text"/> sets; the default, with <paramref name="valid"/> false, for junk.</summary>
        public static TimeSpan Parse(string? text, out bool valid)
        {
            valid = true;
            if (string.IsNullOrWhiteSpace(text))
            {
                return Default;
            }

            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds >= 1 && seconds <= 300)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            valid = false;
            return Default;
        }

        /// <summary>Warns about a value that is not a timeout, once per value.</summary>
        public void WarnIfInvalid(IReporter report)
        {
            var text = read();
            Parse(text, out var valid);
            if (!valid && !string.Equals(Interlocked.Exchange(ref lastWarned, text), text, StringComparison.Ordinal))
            {
                report.Warning($"{Variable} must be a whole number of seconds from 1 to 300; '{Text.FromServer(text, 40)}' is not, so the default ({Default.TotalSeconds:0} seconds) is used.");
            }
        }
    }
}
