using System;
using System.Security;

namespace TSheets.Auth
{
    /// <summary>
    /// A connection's token as users see it. Secrets are <see cref="SecureString"/> copies, so
    /// disposing them cannot harm the stored connection. The client secret is not on it: piped
    /// into Set-TSheetsToken, the session's own connection of that name supplies it.
    /// </summary>
    public sealed class TSheetsToken
    {
        internal TSheetsToken(Connection connection)
        {
            Name = connection.Name;
            AccessToken = SecureStrings.CopyReadOnly(connection.AccessToken);
            RefreshToken = SecureStrings.CopyReadOnly(connection.RefreshToken);
            IssuedOn = connection.IssuedOn;
            ExpiresOn = connection.ExpiresOn;
            UserId = connection.UserId;
            CompanyId = connection.CompanyId;
            ClientUrl = connection.ClientUrl;
            ClientId = connection.ClientId;
            ClientAuthentication = connection.ClientAuthentication;
            BaseUri = connection.BaseUri;
            Vault = connection.Vault;
            CanRefresh = connection.CanRefresh;
        }

        public string Name { get; }

        public SecureString AccessToken { get; }

        public SecureString RefreshToken { get; }

        public string TokenType => "Bearer";

        public DateTimeOffset? IssuedOn { get; }

        public DateTimeOffset? ExpiresOn { get; }

        public string UserId { get; }

        public string CompanyId { get; }

        public string ClientUrl { get; }

        public string ClientId { get; }

        public ClientAuthentication ClientAuthentication { get; }

        public Uri BaseUri { get; }

        public string Vault { get; }

        /// <summary>True when a refresh token and the client credentials are all at hand.</summary>
        public bool CanRefresh { get; }

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

        public override string ToString() => $"TSheets token '{Name}'";
    }
}
