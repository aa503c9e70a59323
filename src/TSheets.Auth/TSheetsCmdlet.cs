using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// What every cmdlet shares: a cancellation token that Ctrl+C (StopProcessing) fires, a way to
    /// wait for Core on the pipeline thread, error translation, and host messages.
    /// </summary>
    public abstract class TSheetsCmdlet : PSCmdlet, IDisposable
    {
        /// <summary>The connection name used when none is given.</summary>
        public const string DefaultName = "default";

        private readonly CancellationTokenSource cancellation = new CancellationTokenSource();

        protected CancellationToken CancellationToken => cancellation.Token;

        public void Dispose()
        {
            cancellation.Dispose();
        }

        protected override void StopProcessing()
        {
            cancellation.Cancel();
        }

        /// <summary>Waits for Core's work; Ctrl+C stops the pipeline at once.</summary>
        protected T Wait<T>(Task<T> task)
        {
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <summary>
        /// A message for the person at the host (an information record, like Write-Host), never
        /// output. Scrubbed, unless it is an authorization URL, which holds no secret by
        /// construction and must reach the user intact.
        /// </summary>
        protected void WriteHostMessage(string message, bool scrub = true)
        {
            WriteInformation(new HostInformationMessage { Message = scrub ? Redactor.Scrub(message) : message }, new[] { "PSHOST" });
        }

        // Every cmdlet writes through these, so verbose, debug and warning text passes the same
        // redaction as error messages (see Redactor). Verbose and debug text nobody will see is
        // not scrubbed at all: the scrubbing regex is the dearest part of a cached token call.
        protected new void WriteVerbose(string text)
        {
            if (IsShown("Verbose", "VerbosePreference"))
            {
                base.WriteVerbose(Redactor.Scrub(text));
            }
        }

        protected new void WriteDebug(string text)
        {
            if (IsShown("Debug", "DebugPreference"))
            {
                base.WriteDebug(Redactor.Scrub(text));
            }
        }

        protected new void WriteWarning(string text) => base.WriteWarning(Redactor.Scrub(text));

        private bool IsShown(string commonParameter, string preferenceVariable)
        {
            if (MyInvocation.BoundParameters.TryGetValue(commonParameter, out var bound))
            {
                return bound is SwitchParameter flag ? flag.IsPresent : LanguagePrimitives.IsTrue(bound);
            }

            var preference = GetVariableValue(preferenceVariable)?.ToString();
            return preference != null
                && !string.Equals(preference, nameof(ActionPreference.SilentlyContinue), StringComparison.OrdinalIgnoreCase)
                && !string.Equals(preference, nameof(ActionPreference.Ignore), StringComparison.OrdinalIgnoreCase);
        }

        protected void ThrowTerminatingError(TSheetsAuthException exception) => ThrowTerminatingError(ErrorMapping.ToRecord(exception));

        protected void WriteError(TSheetsAuthException exception) => WriteError(ErrorMapping.ToRecord(exception));
    }
}
