using System;
using System.Collections.Concurrent;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Interactive;
using TSheets.Auth.Reporting;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Core's reporter and prompt for one cmdlet: Core calls it from any thread, and every call
    /// becomes an action the cmdlet runs on the pipeline thread while it waits (see
    /// <see cref="TSheetsCmdlet.Wait{T}"/>), the only thread allowed to write to the pipeline or the host.
    /// </summary>
    internal sealed class PipelineSink : IReporter, IPrompt, IDisposable
    {
        private readonly ConcurrentQueue<Action<TSheetsCmdlet>> pending = new ConcurrentQueue<Action<TSheetsCmdlet>>();
        private readonly bool verbose;
        private AutoResetEvent signal;
        private int progressId;

        /// <param name="verbose">
        /// Whether the cmdlet shows verbose messages (read once, on the pipeline thread): when it
        /// does not, they are dropped here and never wake the waiting pipeline thread for nothing.
        /// </param>
        public PipelineSink(bool verbose) => this.verbose = verbose;

        /// <summary>
        /// Set when something is queued. Made only when the cmdlet has to block (a cached token call
        /// never does); anything queued before it exists is drained right after it is made.
        /// </summary>
        public WaitHandle Signal
        {
            get
            {
                if (Volatile.Read(ref signal) == null)
                {
                    Interlocked.CompareExchange(ref signal, new AutoResetEvent(false), null);
                }

                return signal;
            }
        }

        public void Information(string message, bool scrub = true) => Enqueue(cmdlet => cmdlet.WriteHostMessage(message, scrub));

        public void Verbose(string message)
        {
            if (verbose)
            {
                Enqueue(cmdlet => cmdlet.WriteVerboseText(message));
            }
        }

        public void Warning(string message) => Enqueue(cmdlet => cmdlet.WriteWarningText(message));

        public void Error(TSheetsAuthException error) => Enqueue(cmdlet => cmdlet.WriteErrorRecord(error));

        public void Progress(string activity, string status, bool completed = false)
        {
            var id = progressId == 0 ? (progressId = Math.Abs(GetHashCode() % 10000) + 1) : progressId;
            Enqueue(cmdlet => cmdlet.WriteProgressRecord(id, activity, status, completed));
        }

        /// <summary>Asks on the pipeline thread (the host reads keys there); null when the input ended.</summary>
        public Task<SecureString> ReadSecretAsync(string prompt, CancellationToken cancellationToken)
        {
            var answer = new TaskCompletionSource<SecureString>(TaskCreationOptions.RunContinuationsAsynchronously);
            Enqueue(cmdlet =>
            {
                try
                {
                    cmdlet.Host.UI.Write(prompt);
                    answer.TrySetResult(cmdlet.Host.UI.ReadLineAsSecureString());
                }
                catch (Exception ex)
                {
                    answer.TrySetException(ex);
                }
            });
            return answer.Task;
        }

        /// <summary>Runs what Core queued; on the pipeline thread only.</summary>
        public void Drain(TSheetsCmdlet cmdlet)
        {
            while (pending.TryDequeue(out var action))
            {
                action(cmdlet);
            }
        }

        public void Dispose() => Volatile.Read(ref signal)?.Dispose();

        private void Enqueue(Action<TSheetsCmdlet> action)
        {
            pending.Enqueue(action);
            try
            {
                Volatile.Read(ref signal)?.Set();
            }
            catch (ObjectDisposedException)
            {
                // The cmdlet is gone (a browser opener reporting late): nobody is left to tell.
            }
        }
    }
}
