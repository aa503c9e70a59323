using System;

namespace TSheets.Auth
{
    /// <summary>
    /// The one exception type Core throws for an expected failure. It carries the public error ID
    /// and the error's target (a connection name or the offending value, never a secret); the
    /// cmdlet layer turns it into an <c>ErrorRecord</c>. Messages are written without secrets and
    /// scrubbed again by <see cref="Redactor"/> before they are stored here.
    /// </summary>
    [Serializable]
    public sealed class TSheetsAuthException : Exception
    {
        public TSheetsAuthException(string errorId, string message, object target = null, Exception innerException = null)
            : base(Redactor.Scrub(message), innerException)
        {
            ErrorId = errorId ?? throw new ArgumentNullException(nameof(errorId));
            Target = target;
        }

        /// <summary>One of <see cref="ErrorIds"/>.</summary>
        public string ErrorId { get; }

        /// <summary>What the error is about: a connection name or the offending value.</summary>
        public object Target { get; }

        /// <summary>HTTP status of the answer that caused the error, when there was one.</summary>
        public int? StatusCode { get; internal set; }

        /// <summary>The OAuth <c>error</c> code TSheets sent (e.g. <c>invalid_grant</c>), when it sent one.</summary>
        public string ServerError { get; internal set; }
    }
}
