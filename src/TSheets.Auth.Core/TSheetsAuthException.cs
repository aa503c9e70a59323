using System;
using TSheets.Auth.Common;

namespace TSheets.Auth
{
    /// <summary>
    /// The one exception type Core throws for an expected failure, and the inner exception of every
    /// error record the module writes (public, so scripts can <c>catch [TSheets.Auth.TSheetsAuthException]</c>).
    /// It carries the public error ID and the error's target (a connection name or the offending
    /// value, never a secret). Text from outside is scrubbed where it enters a message; the exact
    /// secrets in play are masked when the error leaves Core (see <see cref="Redactor"/>).
    /// </summary>
    [Serializable]
    public sealed class TSheetsAuthException : Exception
    {
        internal TSheetsAuthException(string errorId, string message, object? target = null, Exception? innerException = null)
            : base(message, innerException)
        {
            ErrorId = errorId ?? throw new ArgumentNullException(nameof(errorId));
            Target = target;
        }

        /// <summary>The error ID, as in the error record's FullyQualifiedErrorId.</summary>
        public string ErrorId { get; }

        /// <summary>What the error is about: a connection name or the offending value.</summary>
        public object? Target { get; }

        /// <summary>HTTP status of the answer that caused the error, when there was one.</summary>
        public int? StatusCode { get; internal set; }

        /// <summary>The OAuth <c>error</c> code the server sent (e.g. <c>invalid_grant</c>), when it sent one.</summary>
        public string? ServerError { get; internal set; }

        /// <summary>
        /// Set on a <see cref="ErrorIds.VaultError"/> whose secret is no TSheets.Auth connection at all (too large,
        /// not a string): storing a new connection under that name may replace it.
        /// </summary>
        internal bool NotAConnection { get; set; }

        /// <summary>True when trying again later may work (network, 5xx, timeouts); false when it cannot.</summary>
        internal bool Transient => ErrorId == ErrorIds.ServiceUnavailable || ErrorId == ErrorIds.RateLimited;
    }
}
