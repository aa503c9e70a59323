using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using TSheets.Auth.Common;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// The process's one private runspace for SecretManagement, opened (and the module imported)
    /// once, reused by every vault call, one call at a time: a runspace runs one pipeline at once,
    /// and SecretManagement's own invoker is not safe to enter from two threads. A runspace that
    /// broke (a call that timed out, left to stop in the background, where it may still be running)
    /// is replaced. No host: a vault that wants a password fails at once instead of prompting.
    /// </summary>
    internal sealed class VaultRunspace
    {
        /// <summary>How long importing SecretManagement into a new runspace may take.</summary>
        private static readonly TimeSpan ImportTimeout = TimeSpan.FromSeconds(60);

        private readonly object gate = new object();
        private readonly string moduleName;
        private readonly TimeSpan callTimeout;
        private Runspace runspace;

        /// <param name="moduleName">SecretManagement's module name: commands are called qualified with it.</param>
        /// <param name="callTimeout">How long one vault call may take (the composition root decides; tests of a hung vault shorten it).</param>
        public VaultRunspace(string moduleName, TimeSpan callTimeout)
        {
            this.moduleName = moduleName;
            this.callTimeout = callTimeout;
        }

        /// <summary>Runs <paramref name="body"/> in the runspace; SecretManagement's failures become the module's vault errors.</summary>
        public T Run<T>(string vault, Func<VaultRunspace, T> body)
        {
            lock (gate)
            {
                Open(vault);
                try
                {
                    return body(this);
                }
                catch (VaultCallException ex)
                {
                    throw Classify(vault, ex);
                }
            }
        }

        /// <summary>A module-qualified SecretManagement command; errors (terminating or not) throw <see cref="VaultCallException"/>.</summary>
        public IReadOnlyList<PSObject> Invoke(string command, IDictionary<string, object> parameters, bool qualify = true) =>
            Invoke(command, parameters, qualify, callTimeout);

        private List<PSObject> Invoke(string command, IDictionary<string, object> parameters, bool qualify, TimeSpan timeout)
        {
            var shell = PowerShell.Create();
            var abandoned = false;
            try
            {
                shell.Runspace = runspace;
                shell.AddCommand(qualify ? moduleName + "\\" + command : command);
                foreach (var parameter in parameters)
                {
                    shell.AddParameter(parameter.Key, parameter.Value);
                }

                shell.AddParameter("ErrorAction", ActionPreference.Stop);
                try
                {
                    var pending = shell.BeginInvoke();
                    if (!pending.AsyncWaitHandle.WaitOne(timeout))
                    {
                        abandoned = true;
                        Abandon(shell);
                        throw new VaultCallException($"{command} did not finish within {timeout.TotalSeconds:0} seconds.", null, null);
                    }

                    var results = shell.EndInvoke(pending);
                    if (shell.HadErrors && shell.Streams.Error.Count > 0)
                    {
                        var error = shell.Streams.Error[0];
                        throw new VaultCallException(error.Exception.Message, error.Exception, error.FullyQualifiedErrorId);
                    }

                    return results.ToList();
                }
                catch (RuntimeException ex)
                {
                    throw new VaultCallException(ex.ErrorRecord?.Exception?.Message ?? ex.Message, ex.ErrorRecord?.Exception ?? ex, ex.ErrorRecord?.FullyQualifiedErrorId);
                }
            }
            finally
            {
                if (!abandoned)
                {
                    shell.Dispose();
                }
            }
        }

        /// <summary>
        /// Leaves a call that overran to stop in the background, with its runspace: stopping waits for the
        /// vault's code to return, which may be never (a blocked native call), and disposing the pipeline
        /// stops it first. The next call opens a new runspace.
        /// </summary>
        private void Abandon(PowerShell shell)
        {
            var stale = runspace;
            runspace = null;
            System.Threading.Tasks.Task.Run(() =>
            {
                try
                {
                    shell.Stop();
                    shell.Dispose();
                    stale?.Dispose();
                }
                catch (Exception)
                {
                    // A runspace abandoned for hanging owes nothing more.
                }
            });
        }

        private void Open(string vault)
        {
            if (runspace != null && runspace.RunspaceStateInfo.State == RunspaceState.Opened)
            {
                return;
            }

            Discard();
            var opened = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            opened.Open();
            runspace = opened;
            try
            {
                Invoke("Import-Module", new Dictionary<string, object> { ["Name"] = moduleName }, qualify: false, ImportTimeout);
            }
            catch (VaultCallException ex)
            {
                Discard();
                throw new TSheetsAuthException(
                    ErrorIds.SecretManagementNotInstalled,
                    $"Storing tokens in a vault needs the {moduleName} module, which is not installed. Install it with: Install-PSResource {moduleName} (or Install-Module {moduleName}), then register a vault with Register-SecretVault.",
                    vault,
                    ex);
            }
        }

        private void Discard()
        {
            runspace?.Dispose();
            runspace = null;
        }

        /// <summary>
        /// An unknown vault, or the vault's own failure (with its own message). Get-SecretVault takes a
        /// wildcard, but a vault name is none: '*' is unknown unless a vault is named exactly that.
        /// </summary>
        private TSheetsAuthException Classify(string vault, VaultCallException failure)
        {
            try
            {
                Open(vault);
                if (!Invoke("Get-SecretVault", new Dictionary<string, object> { ["Name"] = vault }).Any(info => string.Equals(info.Properties["Name"]?.Value as string, vault, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new VaultCallException($"no vault is registered under exactly that name: {Said(failure)}", failure, null);
                }
            }
            catch (VaultCallException ex)
            {
                return new TSheetsAuthException(
                    ErrorIds.VaultNotFound,
                    $"There is no SecretManagement vault named '{vault}' ({Said(ex)}). Get-SecretVault lists the registered ones; Register-SecretVault adds one.",
                    vault,
                    ex);
            }

            return new TSheetsAuthException(ErrorIds.VaultError, $"The vault '{vault}' failed: {Said(failure)}", vault, failure);
        }

        /// <summary>
        /// What the vault said, in one line: SecretManagement wraps an extension vault's own error
        /// ("Unable to add secret ...") around the message that explains it, so the chain is joined.
        /// </summary>
        private static string Said(Exception failure)
        {
            var parts = new List<string>();
            for (var ex = failure; ex != null; ex = ex.InnerException)
            {
                var line = OneLine(ex.Message);
                if (line != null && !parts.Any(part => part.IndexOf(line, StringComparison.Ordinal) >= 0))
                {
                    parts.Add(line);
                }
            }

            return parts.Count == 0 ? "no explanation" : string.Join(": ", parts);
        }

        /// <summary>One line without control characters (a vault's message may hold line breaks); null for nothing.</summary>
        private static string OneLine(string text)
        {
            var line = text == null ? null : System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Replace(text.Trim(), @"\s+", " "), @"[\p{Cc}\p{Cf}]", string.Empty);
            return string.IsNullOrEmpty(line) ? null : line;
        }
    }

    internal sealed class VaultCallException : Exception
    {
        public VaultCallException(string message, Exception innerException, string errorId)
            : base(message, innerException)
        {
            ErrorId = errorId;
        }

        /// <summary>SecretManagement's FullyQualifiedErrorId, when it gave one.</summary>
        public string ErrorId { get; }
    }
}
