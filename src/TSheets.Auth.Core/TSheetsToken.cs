using System;
using System.Security;

namespace TSheets.Auth
{
    /// <summary>
    /// A connection's token as users see it. Secrets are <see cref="SecureString"/> copies, so
    /// disposing them cannot harm the stored connection; the connection it came from travels
    /// along (internal, with the client secret) so the object can be piped into
    /// <c>Set-TSheetsToken</c>, but it is never shown.
    /// </summary>
    public sealed class TSheetsToken
    {
        internal TSheetsToken()
        {
        }

        public string Name { get; internal set; }

        public SecureString AccessToken { get; internal set; }

        public SecureString RefreshToken { get; internal set; }

        public string TokenType => "Bearer";

        public DateTimeOffset? IssuedOn { get; internal set; }

        public DateTimeOffset? ExpiresOn { get; internal set; }

        public string UserId { get; internal set; }

        public string CompanyId { get; internal set; }

        public string ClientUrl { get; internal set; }

        public string ClientId { get; internal set; }

        public Uri BaseUri { get; internal set; }

        public string Vault { get; internal set; }

        /// <summary>How long the access token has left, for people: "9d 23h", "42m", "expired"; null when unknown.</summary>
        public string TimeLeft
        {
            get
            {
                if (!ExpiresOn.HasValue)
                {
                    return null;
                }

                var left = ExpiresOn.Value - DateTimeOffset.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    return "expired";
                }

                return left.TotalDays >= 1 ? $"{(int)left.TotalDays}d {left.Hours}h"
                    : left.TotalHours >= 1 ? $"{(int)left.TotalHours}h {left.Minutes}m"
                    : $"{Math.Max(1, (int)left.TotalMinutes)}m";
            }
        }

        /// <summary>True when a refresh token and the client credentials are all at hand.</summary>
        public bool CanRefresh => RefreshToken != null && !string.IsNullOrEmpty(ClientId) && Source?.ClientSecret != null;

        internal Connection Source { get; set; }

        public override string ToString() => $"TSheets token '{Name}'";
    }
}
