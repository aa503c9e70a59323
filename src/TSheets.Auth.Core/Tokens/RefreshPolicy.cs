using System;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Tokens
{
    /// <summary>When a token is refreshed: past half its lifetime, or under five minutes left.</summary>
    internal static class RefreshPolicy
    {
        public static readonly TimeSpan MinimumRemaining = TimeSpan.FromMinutes(5);

        /// <summary>
        /// A token this young is not refreshed by policy (only when expired or forced): a server
        /// handing out short-lived tokens must not turn every call into a refresh.
        /// </summary>
        public static readonly TimeSpan MinimumAge = TimeSpan.FromSeconds(30);

        public static bool IsExpired(Connection connection, DateTimeOffset now) =>
            connection.ExpiresOn.HasValue && now >= connection.ExpiresOn.Value;

        public static bool IsDue(Connection connection, DateTimeOffset now)
        {
            if (!connection.CanRefresh || !connection.ExpiresOn.HasValue)
            {
                return false;
            }

            var expiresOn = connection.ExpiresOn.Value;
            if (now >= expiresOn)
            {
                return true;
            }

            if (connection.IssuedOn.HasValue && now - connection.IssuedOn.Value < MinimumAge)
            {
                return false;
            }

            if (expiresOn - now < MinimumRemaining)
            {
                return true;
            }

            if (connection.IssuedOn.HasValue)
            {
                var halfLife = TimeSpan.FromTicks((expiresOn - connection.IssuedOn.Value).Ticks / 2);
                return now >= connection.IssuedOn.Value + halfLife;
            }

            return false;
        }
    }
}
