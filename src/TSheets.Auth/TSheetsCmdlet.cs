using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// What every cmdlet shares: a cancellation token that Ctrl+C (StopProcessing) fires, the wait
    /// for Core that writes Core's reports on the pipeline thread meanwhile, error translation, and
    /// host messages. Every line Core reports is scrubbed of the secrets in play as it is written
    /// (verbose only when shown: scrubbing is the dearest part of a cached token call).
    /// </summary>
    public abstract class TSheetsCmdlet : PSCmdlet, IDisposable
    {
        /// <summary>The connection name used when none is given.</summary>
        public const string DefaultName = "default";

        /// <summary>The tag Write-Host gives its records, so the host shows them.</summary>
        private static readonly string[] HostTags = { "PSHOST" };

        private readonly CancellationTokenSource cancellation = new CancellationTokenSource();
        private PipelineSink sink;

        internal CancellationToken CancellationToken => cancellation.Token;

        /// <summary>Core's reporter (and prompt) for this command.</summary>
        internal PipelineSink Sink => sink ?? (sink = new PipelineSink(IsShown("Verbose", "VerbosePreference")));

        public void Dispose()
        {
            cancellation.Dispose();
            sink?.Dispose();
            GC.SuppressFinalize(this);
        }

        protected override void StopProcessing() => cancellation.Cancel();

        /// <summary>Waits for Core's work, writing what it reports as it comes; Ctrl+C stops the pipeline at once.</summary>
        internal T Wait<T>(Task<T> task)
        {
            if (!task.IsCompleted)
            {
                var handles = new[] { ((IAsyncResult)task).AsyncWaitHandle, Sink.Signal };
                try
                {
                    for (Sink.Drain(this); !task.IsCompleted; Sink.Drain(this))
                    {
                        WaitHandle.WaitAny(handles);
                    }
                }
                catch
                {
                    // Writing a report stopped the command (-WarningAction Stop, say): Core's work must
                    // stop too (a listener would otherwise keep its port for the whole timeout).
                    cancellation.Cancel();
                    throw;
                }
            }

            sink?.Drain(this);
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <summary>Runs synchronous Core work, then writes what it reported.</summary>
        internal T Run<T>(Func<T> work)
        {
            try
            {
                return work();
            }
            finally
            {
                sink?.Drain(this);
            }
        }

        /// <summary>
        /// A message for the person at the host (an information record, like Write-Host), never
        /// output. Scrubbed, unless it is an authorization URL, which holds no secret by
        /// construction and must reach the user intact.
        /// </summary>
        internal void WriteHostMessage(string message, bool scrub = true) =>
            WriteInformation(new HostInformationMessage { Message = scrub ? ModuleRoot.Operations.Scrub(message) : message }, HostTags);

        internal void WriteVerboseText(string text)
        {
            if (IsShown("Verbose", "VerbosePreference"))
            {
                WriteVerbose(ModuleRoot.Operations.Scrub(text));
            }
        }

        internal void WriteWarningText(string text) => WriteWarning(ModuleRoot.Operations.Scrub(text));

        internal void WriteErrorRecord(TSheetsAuthException exception) => WriteError(ErrorMapping.ToRecord(ModuleRoot.Operations.Scrub(exception)));

        internal void WriteProgressRecord(int id, string activity, string status, bool completed) =>
            WriteProgress(new ProgressRecord(id, activity, ModuleRoot.Operations.Scrub(status))
            {
                RecordType = completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            });

        internal void ThrowTerminatingError(TSheetsAuthException exception)
        {
            sink?.Drain(this);
            ThrowTerminatingError(ErrorMapping.ToRecord(ModuleRoot.Operations.Scrub(exception)));
        }

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
    }
}
