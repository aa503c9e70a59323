#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// Vault calls in a short-lived child PowerShell, which has no cache. SecretStore keeps its
    /// decrypted store in memory once per process (every runspace shares it), may never see another
    /// process's write, and writes its whole store from that memory: a write from a process whose
    /// copy is stale would put back pairs that other processes have since rotated. So a process
    /// reads past its cache here when it knows its copy is stale, and writes and removes here, on
    /// the store as it is now. Slow (a process start), so only for those. The secret goes in and out
    /// over the child's standard streams, pipes only this process holds; names go in through the
    /// environment, never a command line.
    /// </summary>
    internal sealed class VaultChildProcess
    {
        private const string NameVariable = "TSHEETS_AUTH_CHILD_SECRET";
        private const string VaultVariable = "TSHEETS_AUTH_CHILD_VAULT";

        /// <summary>A child is killed after this; two of them fit in the store lock's wait.</summary>
        public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

        private const string Prelude = "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'\ntry {\n  Import-Module Microsoft.PowerShell.SecretManagement\n";

        // A failure says the exception types of its chain on the first line (a store that wants this
        // process's password is known by SecretManagement's PasswordRequiredException), then the message.
        private const string Failure = "} catch {\n  if ($_.FullyQualifiedErrorId -like 'GetSecretNotFound*') { [Console]::Out.Write('NONE'); exit 0 }\n"
            + "  $types = @(); for ($e = $_.Exception; $e; $e = $e.InnerException) { $types += $e.GetType().FullName }\n"
            + "  [Console]::Error.Write(($types -join ',') + \"`n\" + $_.Exception.Message); exit 1\n}\n";

        private static readonly string ReadScript = Prelude
            + "  $s = Microsoft.PowerShell.SecretManagement\\Get-Secret -Name $env:" + NameVariable + " -Vault $env:" + VaultVariable + " -AsPlainText\n"
            + Failure
            + "if ($s -isnot [string]) { [Console]::Out.Write('NONE'); exit 0 }\n"
            + "[Console]::Out.Write('SECRET ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($s)))";

        private static readonly string WriteScript = Prelude
            // Built char by char: a cmdlet given the plain text would show it to module logging (event 4103).
            + "  $secret = [System.Security.SecureString]::new()\n"
            + "  foreach ($c in [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String([Console]::In.ReadLine())).ToCharArray()) { $secret.AppendChar($c) }\n"
            + "  Microsoft.PowerShell.SecretManagement\\Set-Secret -Name $env:" + NameVariable + " -Vault $env:" + VaultVariable + " -SecureStringSecret $secret\n"
            + "  [Console]::Out.Write('DONE')\n"
            + Failure;

        private static readonly string RemoveScript = Prelude
            + "  $found = @(Microsoft.PowerShell.SecretManagement\\Get-SecretInfo -Name ([WildcardPattern]::Escape($env:" + NameVariable + ")) -Vault $env:" + VaultVariable + ")\n"
            + "  if ($found.Count -eq 0) { [Console]::Out.Write('NONE'); exit 0 }\n"
            + "  Microsoft.PowerShell.SecretManagement\\Remove-Secret -Name $env:" + NameVariable + " -Vault $env:" + VaultVariable + "\n"
            + "  [Console]::Out.Write('DONE')\n"
            + Failure;

        private static readonly string ListScript = Prelude
            + "  $names = @(Microsoft.PowerShell.SecretManagement\\Get-SecretInfo -Name $env:" + NameVariable + " -Vault $env:" + VaultVariable + " | ForEach-Object Name)\n"
            + "  [Console]::Out.Write('NAMES ' + (($names | ForEach-Object { [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($_)) }) -join ' '))\n"
            + Failure;

        private static readonly char[] Space = { ' ' };

        private readonly string powerShellHome;

        /// <param name="powerShellHome">PSHOME of the PowerShell the module runs in (a child must be the same PowerShell); null: no child.</param>
        public VaultChildProcess(string powerShellHome) => this.powerShellHome = powerShellHome;

        /// <summary>True when a child PowerShell can be started here.</summary>
        public bool Available => Executable() != null;

        /// <summary>The secret as the vault holds it now, or null when there is none or this read is not possible here.</summary>
        public async Task<SecureString> ReadAsync(string vault, string secretName, CancellationToken cancellationToken)
        {
            var (exit, output, _) = await RunAsync(ReadScript, vault, secretName, null, cancellationToken).ConfigureAwait(false);
            if (exit != 0 || output == null || !output.StartsWith("SECRET ", StringComparison.Ordinal))
            {
                return null;
            }

            try
            {
                return VaultSecretText.ToSecret(Encoding.UTF8.GetString(Convert.FromBase64String(output.Substring(7).Trim())), vault, secretName);
            }
            catch (FormatException)
            {
                return null;
            }
        }

        /// <summary>Writes the secret on the store as it is now; a failure is the vault's own message.</summary>
        public void Write(string vault, string secretName, SecureString value)
        {
            var input = Convert.ToBase64String(Encoding.UTF8.GetBytes(SecureStrings.ToPlainText(value)));
            var (exit, output, errors) = RunAsync(WriteScript, vault, secretName, input, CancellationToken.None).GetAwaiter().GetResult();
            if (exit != 0 || output != "DONE")
            {
                throw ChildVaultException.From(errors, $"Set-Secret in a child PowerShell ended with code {exit}.");
            }
        }

        /// <summary>Removes the secret on the store as it is now; false when there was none.</summary>
        public bool Remove(string vault, string secretName)
        {
            var (exit, output, errors) = RunAsync(RemoveScript, vault, secretName, null, CancellationToken.None).GetAwaiter().GetResult();
            if (exit != 0 || (output != "DONE" && output != "NONE"))
            {
                throw ChildVaultException.From(errors, $"Remove-Secret in a child PowerShell ended with code {exit}.");
            }

            return output == "DONE";
        }

        /// <summary>The names of the secrets matching a wildcard pattern in the store as it is now.</summary>
        public System.Collections.Generic.IReadOnlyList<string> List(string vault, string namePattern)
        {
            var (exit, output, errors) = RunAsync(ListScript, vault, namePattern, null, CancellationToken.None).GetAwaiter().GetResult();
            if (exit != 0 || output == null || !output.StartsWith("NAMES", StringComparison.Ordinal))
            {
                throw ChildVaultException.From(errors, $"Get-SecretInfo in a child PowerShell ended with code {exit}.");
            }

            try
            {
                return output.Substring(5).Split(Space, StringSplitOptions.RemoveEmptyEntries)
                    .Select(name => Encoding.UTF8.GetString(Convert.FromBase64String(name)))
                    .ToList();
            }
            catch (FormatException ex)
            {
                throw new ChildVaultException("Get-SecretInfo in a child PowerShell answered something unreadable.", Array.Empty<string>(), ex);
            }
        }

        private async Task<(int Exit, string Output, string Errors)> RunAsync(string script, string vault, string secretName, string input, CancellationToken cancellationToken)
        {
            var executable = Executable();
            if (executable == null)
            {
                return (-1, null, "No PowerShell to start a child process with.");
            }

            var info = new ProcessStartInfo(executable, "-NoProfile -NonInteractive -NoLogo -EncodedCommand " + Convert.ToBase64String(Encoding.Unicode.GetBytes(script)))
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                CreateNoWindow = true,
            };
            info.EnvironmentVariables[NameVariable] = secretName;
            info.EnvironmentVariables[VaultVariable] = vault;
            info.EnvironmentVariables.Remove(EnvironmentToken.TokenVariable);
            try
            {
                using (var process = Process.Start(info))
                {
                    if (input != null)
                    {
                        process.StandardInput.WriteLine(input);
                    }

                    process.StandardInput.Close();
                    var output = process.StandardOutput.ReadToEndAsync();
                    var errors = process.StandardError.ReadToEndAsync();
                    var exited = await Task.Run(() => process.WaitForExit((int)Timeout.TotalMilliseconds), cancellationToken).ConfigureAwait(false);
                    if (!exited)
                    {
                        process.Kill();
                        return (-1, null, $"The child PowerShell did not finish within {Timeout.TotalSeconds:0} seconds.");
                    }

                    return (process.ExitCode, await output.ConfigureAwait(false), await errors.ConfigureAwait(false));
                }
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception || ex is InvalidOperationException || ex is IOException)
            {
                return (-1, null, ex.Message);
            }
        }

        private string Executable()
        {
            var home = powerShellHome;
            if (string.IsNullOrEmpty(home))
            {
                return null;
            }

            var desktop = RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);
            var name = desktop ? "powershell.exe" : RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "pwsh.exe" : "pwsh";
            var path = Path.Combine(home, name);
            return File.Exists(path) ? path : null;
        }
    }

    /// <summary>A vault call in a child PowerShell failed: the vault's own message, and the exception types it came with.</summary>
    internal sealed class ChildVaultException : Exception
    {
        private const string PasswordRequired = "Microsoft.PowerShell.SecretManagement.PasswordRequiredException";
        private static readonly char[] LineBreak = { '\n' };
        private static readonly char[] Comma = { ',' };

        public ChildVaultException(string message, IReadOnlyList<string> exceptionTypes, Exception innerException = null)
            : base(message, innerException)
        {
            ExceptionTypes = exceptionTypes;
        }

        /// <summary>The full type names of the failure's exception chain, outermost first (empty when unknown).</summary>
        public IReadOnlyList<string> ExceptionTypes { get; }

        /// <summary>The store wants a password, which only the process that unlocked it holds.</summary>
        public bool NeedsPassword => ExceptionTypes.Contains(PasswordRequired, StringComparer.Ordinal);

        /// <summary>What a child wrote on its error stream (the types line, then the message), or <paramref name="otherwise"/>.</summary>
        public static ChildVaultException From(string errors, string otherwise)
        {
            var lines = (errors ?? string.Empty).Split(LineBreak, 2);
            var types = lines.Length == 2 ? lines[0].Trim().Split(Comma, StringSplitOptions.RemoveEmptyEntries) : Array.Empty<string>();
            var message = Text.OneLine(lines.Length == 2 ? lines[1] : lines[0]);
            return new ChildVaultException(message ?? otherwise, types);
        }
    }
}
