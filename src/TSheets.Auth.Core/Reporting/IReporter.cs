namespace TSheets.Auth.Reporting
{
    /// <summary>
    /// The one way Core tells the user something. Core calls it from any thread; the cmdlet layer
    /// queues each call and writes it, scrubbed, on the pipeline thread (verbose text only when the
    /// cmdlet shows it: the rest is dropped at once). Core never holds a cmdlet.
    /// </summary>
    internal interface IReporter
    {
        /// <summary>A message for the person at the host (an information record, like Write-Host).</summary>
        /// <param name="message">What to show.</param>
        /// <param name="scrub">False only for text that holds no secret by construction and must arrive intact (the authorization URL).</param>
        void Information(string message, bool scrub = true);

        void Verbose(string message);

        void Warning(string message);

        /// <summary>A non-terminating error: the command goes on.</summary>
        void Error(TSheetsAuthException error);

        /// <summary>Progress of a long read (-All); <paramref name="completed"/> ends the bar.</summary>
        void Progress(string activity, string status, bool completed = false);
    }

    /// <summary>Says nothing: for callers that have no one to tell.</summary>
    internal sealed class NullReporter : IReporter
    {
        public static readonly NullReporter Instance = new NullReporter();

        public void Information(string message, bool scrub = true)
        {
        }

        public void Verbose(string message)
        {
        }

        public void Warning(string message)
        {
        }

        public void Error(TSheetsAuthException error)
        {
        }

        public void Progress(string activity, string status, bool completed = false)
        {
        }
    }
}
