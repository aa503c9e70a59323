// Nullable annotations not yet made for this folder (issue 23 started with Common, OAuth, Http, Api and Platform).
#nullable disable

using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;

namespace TSheets.Auth
{
    /// <summary>Opens a URL in the user's browser. Throws <see cref="BrowserLaunchException"/> when it cannot start one.</summary>
    internal interface IBrowserLauncher
    {
        /// <param name="url">The address to open.</param>
        /// <param name="report">Where an opener that starts but then fails says so (a warning: the URL is already on screen).</param>
        void Open(Uri url, IReporter report);
    }

    internal sealed class BrowserLaunchException : Exception
    {
        public BrowserLaunchException(string message, Exception innerException = null)
            : base(message, innerException)
        {
        }
    }

    /// <summary>How a URL is opened here: the command (argv) to run.</summary>
    internal sealed class BrowserCommand
    {
        private BrowserCommand(string[] argv) => Argv = argv;

        public string[] Argv { get; }

        /// <summary>
        /// The <c>BROWSER</c> variable first (a command; the URL replaces <c>%s</c> or is appended), else the
        /// platform's opener. On Windows that is the shell's URL handler run through rundll32 (as <c>gh</c> does)
        /// rather than ShellExecute, so the browser gets an environment without the CI token.
        /// </summary>
        public static BrowserCommand For(string url, string browserVariable, bool isWindows, bool isMacOS)
        {
            if (!string.IsNullOrWhiteSpace(browserVariable))
            {
                return new BrowserCommand(CommandLine.BuildCommand(browserVariable, url));
            }

            if (isWindows)
            {
                // From System32 by its full path: a bare name is looked for in the current folder first.
                return new BrowserCommand(new[] { System.IO.Path.Combine(Environment.SystemDirectory, "rundll32.exe"), "url.dll,FileProtocolHandler", url });
            }

            return new BrowserCommand(new[] { isMacOS ? "open" : "xdg-open", url });
        }
    }

    /// <summary>Starts the browser without a shell and never waits for it; an opener that exits with an error is reported.</summary>
    internal sealed class SystemBrowserLauncher : IBrowserLauncher
    {
        private static readonly TimeSpan WatchFor = TimeSpan.FromSeconds(30);

        private readonly Func<string, string> environment;

        public SystemBrowserLauncher(Func<string, string> environment) => this.environment = environment ?? throw new ArgumentNullException(nameof(environment));

        public void Open(Uri url, IReporter report)
        {
            var command = BrowserCommand.For(
                url.AbsoluteUri,
                environment("BROWSER"),
                System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows),
                System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.OSX));
            var what = command.Argv[0];
            Process process;
            try
            {
                var info = new ProcessStartInfo(command.Argv[0], CommandLine.JoinArguments(command.Argv.Skip(1)))
                {
                    UseShellExecute = false,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    RedirectStandardInput = true,
                };

                // A browser lives long and need not know the CI token.
                info.EnvironmentVariables.Remove(EnvironmentToken.TokenVariable);
                process = Process.Start(info);
            }
            catch (Exception ex)
            {
                throw new BrowserLaunchException($"The browser could not be started ({what}): {ex.Message}", ex);
            }

            if (process == null)
            {
                return;
            }

            // Keep the opener's chatter off the user's console, never block on full pipes, and read
            // its error output before the process object goes away.
            var errors = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            process.StandardInput.Close();
            _ = WatchAsync(process, errors, what, report);
        }

        private static async Task WatchAsync(Process process, Task<string> errors, string what, IReporter report)
        {
            try
            {
                // An opener hands the URL over and exits; a BROWSER that is the browser itself runs on, and
                // is left to run once the watch is over (nothing is reported for it). The browser an
                // opener started may hold its error stream open: that is read only briefly.
                var exited = await Task.Run(() => process.WaitForExit((int)WatchFor.TotalMilliseconds)).ConfigureAwait(false);
                if (!exited || process.ExitCode == 0)
                {
                    return;
                }

                var said = await Task.WhenAny(errors, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false) == errors ? errors.Result : null;
                var detail = Text.FromServer(said, 300);
                report.Warning($"The browser command ({what}) exited with code {process.ExitCode}{(detail == null ? "." : ": " + detail)} Open the address above yourself.");
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is System.ComponentModel.Win32Exception)
            {
                // The process went away in a way that says nothing more about the browser.
            }
            finally
            {
                process.Dispose();
            }
        }
    }
}
