using System;
using TSheets.Auth.Common;

namespace TSheets.Auth
{
    /// <summary>Where a connection is kept.</summary>
    public enum ConnectionSource
    {
        /// <summary>In this PowerShell process only: gone when it ends.</summary>
        Session,

        /// <summary>Saved in a SecretManagement vault (and found again there by new sessions).</summary>
        Vault,

        /// <summary>The CI token in <c>$env:TSHEETS_ACCESS_TOKEN</c>, used as the <c>default</c> connection.</summary>
        Environment,
    }

    /// <summary>
    /// A connection's status as Get-TSheetsConnection shows it, read without a request to TSheets
    /// and without a refresh: where it is kept, whose it is, how long its token lasts, whether it
    /// can be refreshed (and why not), how old its refresh token is, and what is wrong with it and
    /// the command that fixes it. It holds no secret.
    /// </summary>
    public sealed class TSheetsConnection
    {
        /// <summary>How long TSheets keeps a refresh token that is not used (the library's default; undocumented).</summary>
        public static readonly TimeSpan RefreshTokenLifetime = TimeSpan.FromDays(14);

        /// <summary>Made by the module only.</summary>
        internal TSheetsConnection()
        {
        }

        public string Name { get; internal init; } = string.Empty;

        public ConnectionSource Source { get; internal init; }

        /// <summary>The vault it is saved in; null for a session-only or environment connection.</summary>
        public string? Vault { get; internal init; }

        /// <summary>True when this session holds it now (loaded, or signed in here).</summary>
        public bool InSession { get; internal init; }

        public string? UserId { get; internal init; }

        public string? CompanyId { get; internal init; }

        /// <summary>The company's QuickBooks Time sign-in name (TSheets calls it <c>client_url</c>).</summary>
        public string? ClientUrl { get; internal init; }

        public string? ClientId { get; internal init; }

        public Uri? BaseUri { get; internal init; }

        public DateTimeOffset? ExpiresOn { get; internal init; }

        /// <summary>How long the access token has left (zero once it expired); null when its expiry is unknown.</summary>
        public TimeSpan? TimeLeft
        {
            get
            {
                if (!ExpiresOn.HasValue)
                {
                    return null;
                }

                var left = ExpiresOn.Value - Now;
                return left > TimeSpan.Zero ? left : TimeSpan.Zero;
            }
        }

        /// <summary>True when a refresh token and the app's client ID and secret are all at hand.</summary>
        public bool CanRefresh { get; internal init; }

        /// <summary>Why it cannot be refreshed; null when it can.</summary>
        public string? CannotRefreshBecause { get; internal init; }

        /// <summary>When the current pair was issued: the sign-in, or the last refresh.</summary>
        public DateTimeOffset? LastRefreshed { get; internal init; }

        /// <summary>How old the refresh token is (it was issued with the pair); TSheets drops one unused for about two weeks.</summary>
        public TimeSpan? RefreshTokenAge => LastRefreshed.HasValue && CanRefresh ? Now - LastRefreshed.Value : (TimeSpan?)null;

        /// <summary>What is wrong, in words; null when nothing is.</summary>
        public string? Problem { get; internal init; }

        /// <summary>The command (or step) that fixes <see cref="Problem"/>; null when nothing is wrong.</summary>
        public string? Advice { get; internal init; }

        /// <summary>The clock the times are read against: the module's own, so a test's clock reaches them too.</summary>
        internal IClock? Clock { get; init; }

        private DateTimeOffset Now => (Clock ?? SystemClock.Instance).UtcNow;

        public override string ToString() => $"TSheets connection '{Name}'";
    }
}
