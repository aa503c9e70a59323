using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Reads a secret in a short-lived child PowerShell, which has no cache: SecretStore keeps its
    /// decrypted store in memory once per process (every runspace shares it) and may never see
    /// another process's write. Slow (a process start), so only the rare path uses it: a process
    /// that knows its pair is stale. The secret comes back over the child's standard output, a
    /// pipe only this process reads; names go in through the environment, never a command line.
    /// </summary>
    internal static class FreshVaultReader
    {
        private const string NameVariable = "TSHEETS_AUTH_FRESH_SECRET";
        private const string VaultVariable = "TSHEETS_AUTH_FRESH_VAULT";

        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

        private static readonly string Script = string.Join(
            "\n",
            "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'",
            "try {",
            "  Import-Module Microsoft.PowerShell.SecretManagement",
            "  $s = Microsoft.PowerShell.SecretManagement\\Get-Secret -Name $env:" + NameVariable + " -Vault $env:" + VaultVariable + " -AsPlainText",
            "} catch {",
            "  if ($_.FullyQualifiedErrorId -like 'GetSecretNotFound*') { [Console]::Out.Write('NONE'); exit 0 }",
            "  exit 1",
            "}",
            "if ($s -isnot [string]) { [Console]::Out.Write('NONE'); exit 0 }",
            "[Console]::Out.Write('SECRET ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($s)))");

        /// <summary>PSHOME of this PowerShell, remembered by the first cmdlet that runs (a child must be the same PowerShell).</summary>
        public static string PowerShellHome { get; set; }

        /// <summary>The secret, or null when there is none or this read is not possible here (no PowerShell to start, a locked vault).</summary>
        public static async Task<SecureString> ReadAsync(string vault, string secretName, CancellationToken cancellationToken)
        {
            var executable = Executable();
            if (executable == null)
            {
                return null;
            }

            var info = new ProcessStartInfo(executable, "-NoProfile -NonInteractive -NoLogo -EncodedCommand " + Convert.ToBase64String(Encoding.Unicode.GetBytes(Script)))
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                CreateNoWindow = true,
            };
            info.EnvironmentVariables[NameVariable] = secretName;
            info.EnvironmentVariables[VaultVariable] = vault;
            try
            {
                using (var process = Process.Start(info))
                {
                    process.StandardInput.Close();
                    var output = process.StandardOutput.ReadToEndAsync();
                    _ = process.StandardError.ReadToEndAsync();
                    var exited = await Task.Run(() => process.WaitForExit((int)Timeout.TotalMilliseconds), cancellationToken).ConfigureAwait(false);
                    if (!exited)
                    {
                        process.Kill();
                        return null;
                    }

                    var text = await output.ConfigureAwait(false);
                    if (process.ExitCode != 0 || !text.StartsWith("SECRET ", StringComparison.Ordinal))
                    {
                        return null;
                    }

                    return SecureStrings.FromPlainText(Encoding.UTF8.GetString(Convert.FromBase64String(text.Substring(7).Trim())));
                }
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception || ex is InvalidOperationException || ex is IOException || ex is FormatException)
            {
                return null;
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
