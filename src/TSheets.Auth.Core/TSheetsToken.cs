using System;
using System.Security;
using TSheets.Auth.Common;

namespace TSheets.Auth
{
    /// <summary>
    /// A connection's token as users see it. Secrets are <see cref="SecureString"/> copies, so
    /// disposing them cannot harm the stored connection. The client secret is not on it: piped
    /// into Set-TSheetsToken, the session's own connection of that name supplies it.
    /// </summary>
    public sealed class TSheetsToken
    {
        /// <summary>Made by the module only (from a stored connection); every value is set once.</summary>
        internal TSheetsToken()
        {
        }

        public string Name { get; internal init; } = string.Empty;

        public SecureString AccessToken { get; internal init; } = new SecureString();

        public SecureString? RefreshToken { get; internal init; }

        // An instance property although it never varies: PowerShell shows a token's instance properties (Format-List, ConvertTo-Json).
#pragma warning disable CA1822
        public string TokenType => "Bearer";
#pragma warning restore CA1822

        public DateTimeOffset? IssuedOn { get; internal init; }

        public DateTimeOffset? ExpiresOn { get; internal init; }

        public string? UserId { get; internal init; }

        public string? CompanyId { get; internal init; }

        public string? ClientUrl { get; internal init; }

        public string? ClientId { get; internal init; }

        public ClientAuthentication ClientAuthentication { get; internal init; }

        public Uri BaseUri { get; internal init; } = null!; // always set: a token is made from a stored connection

        public string? Vault { get; internal init; }

        /// <summary>True when a refresh token and the client credentials are all at hand.</summary>
        public bool CanRefresh { get; internal init; }

        /// <summary>How long the access token has left, for people: "9d 23h", "42m", "expired"; null when unknown.</summary>
        public string? TimeLeft
        {
            get
            {
                if (!ExpiresOn.HasValue)
                {
                    return null;
                }

                var left = ExpiresOn.Value - (Clock ?? SystemClock.Instance).UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    return "expired";
                }

                return left.TotalDays >= 1 ? $"{(int)left.TotalDays}d {left.Hours}h"
                    : left.TotalHours >= 1 ? $"{(int)left.TotalHours}h {left.Minutes}m"
                    : $"{Math.Max(1, (int)left.TotalMinutes)}m";
            }
        }

        /// <summary>The clock <see cref="TimeLeft"/> reads: the module's own, so a test's clock reaches it too.</summary>
        internal IClock? Clock { get; init; }

        public override string ToString() => $"TSheets token '{Name}'";
    }
}
