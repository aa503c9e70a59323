using System;
using System.Globalization;

namespace TSheets.Auth.Http
{
    /// <summary>N calls in any S seconds per token: TSheets documents 300 in 5 minutes.</summary>
    internal sealed class RateLimit
    {
        public const string Variable = "TSHEETS_AUTH_RATE_LIMIT";

        public static readonly RateLimit TSheets = new RateLimit(300, TimeSpan.FromMinutes(5));

        public RateLimit(int calls, TimeSpan window)
        {
            Calls = calls;
            Window = window;
        }

        public int Calls { get; }

        public TimeSpan Window { get; }

        /// <summary>"N/S" (N calls in any S seconds), or null when <paramref name="text"/> is not that.</summary>
        public static RateLimit? Parse(string? text)
        {
            var parts = (text ?? string.Empty).Trim().Split('/');
            if (parts.Length == 2
                && int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var calls) && calls >= 1 && calls <= 1000000
                && double.TryParse(parts[1].Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds <= 86400)
            {
                return new RateLimit(calls, TimeSpan.FromSeconds(seconds));
            }

            return null;
        }

        public override string ToString() =>
            $"{Calls.ToString(CultureInfo.InvariantCulture)} calls in {Window.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";
    }
}
