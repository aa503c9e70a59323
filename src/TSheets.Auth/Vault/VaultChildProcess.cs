using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth.Commands
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
    internal static class VaultChildProcess
    {
        private const string NameVariable = "TSHEETS_AUTH_CHILD_SECRET";
        private const string VaultVariable = "TSHEETS_AUTH_CHILD_VAULT";

        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

        private const string Prelude = "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'\ntry {\n  Import-Module Microsoft.PowerShell.SecretManagement\n";

        private const string Failure = "} catch {\n  if ($_.FullyQualifiedErrorId -like 'GetSecretNotFound*') { [Console]::Out.Write('NONE'); exit 0 }\n  [Console]::Error.Write($_.Exception.Message); exit 1\n}\n";

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

        /// <summary>PSHOME of this PowerShell, remembered by the first cmdlet that runs (a child must be the same PowerShell).</summary>
        public static string PowerShellHome { get; set; }

        /// <summary>True when a child PowerShell can be started here.</summary>
        public static bool Available => Executable() != null;

        /// <summary>The secret as the vault holds it now, or null when there is none or this read is not possible here.</summary>
        public static async Task<SecureString> ReadAsync(string vault, string secretName, CancellationToken cancellationToken)
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
        public static void Write(string vault, string secretName, SecureString value)
        {
            var input = Convert.ToBase64String(Encoding.UTF8.GetBytes(SecureStrings.ToPlainText(value)));
            var (exit, output, errors) = RunAsync(WriteScript, vault, secretName, input, CancellationToken.None).GetAwaiter().GetResult();
            if (exit != 0 || output != "DONE")
            {
                throw new VaultCallException(Text.OneLine(errors) ?? $"Set-Secret in a child PowerShell ended with code {exit}.", null, null);
            }
        }

        /// <summary>Removes the secret on the store as it is now; false when there was none.</summary>
        public static bool Remove(string vault, string secretName)
        {
            var (exit, output, errors) = RunAsync(RemoveScript, vault, secretName, null, CancellationToken.None).GetAwaiter().GetResult();
            if (exit != 0 || (output != "DONE" && output != "NONE"))
            {
                throw new VaultCallException(Text.OneLine(errors) ?? $"Remove-Secret in a child PowerShell ended with code {exit}.", null, null);
            }

            return output == "DONE";
        }

        /// <summary>The names of the secrets matching a wildcard pattern in the store as it is now.</summary>
        public static System.Collections.Generic.IReadOnlyList<string> List(string vault, string namePattern)
        {
            var (exit, output, errors) = RunAsync(ListScript, vault, namePattern, null, CancellationToken.None).GetAwaiter().GetResult();
            if (exit != 0 || output == null || !output.StartsWith("NAMES", StringComparison.Ordinal))
            {
                throw new VaultCallException(Text.OneLine(errors) ?? $"Get-SecretInfo in a child PowerShell ended with code {exit}.", null, null);
            }

            try
            {
                return output.Substring(5).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries)
                    .Select(name => Encoding.UTF8.GetString(Convert.FromBase64String(name)))
                    .ToList();
            }
            catch (FormatException ex)
            {
                throw new VaultCallException("Get-SecretInfo in a child PowerShell answered something unreadable.", ex, null);
            }
        }

        private static async Task<(int Exit, string Output, string Errors)> RunAsync(string script, string vault, string secretName, string input, CancellationToken cancellationToken)
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

        private static string Executable()
        {
            var home = PowerShellHome;
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
}
