using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Reporting;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Interactive
{
    /// <summary>Opens a URL in the user's browser. Throws <see cref="BrowserLaunchException"/> when it cannot start one.</summary>
    internal interface IBrowserLauncher
    {
        /// <param name="url">The address to open.</param>
        /// <param name="report">Where an opener that starts but then fails says so (a warning: the URL is already on screen).</param>
        /// <returns>What to dispose when the sign-in is over (the page handed to the browser), or null.</returns>
        IDisposable? Open(Uri url, IReporter report);
    }

    internal sealed class BrowserLaunchException : Exception
    {
        public BrowserLaunchException(string message, Exception? innerException = null)
            : base(message, innerException)
        {
        }
    }

    /// <summary>How the sign-in page is opened here: the command (argv) to run. It never holds the authorization URL.</summary>
    internal sealed class BrowserCommand
    {
        private BrowserCommand(string[] argv) => Argv = argv;

        public string[] Argv { get; }

        /// <summary>
        /// The <c>BROWSER</c> variable first (a command taking a URL: the page's file:// URI replaces <c>%s</c>
        /// or is appended), else the platform's opener with the page's path. On Windows that is the shell's
        /// handler run through rundll32 (as <c>gh</c> does) rather than ShellExecute, so the browser gets an
        /// environment without the CI token.
        /// </summary>
        public static BrowserCommand For(Uri page, string browserVariable, bool isWindows, bool isMacOS)
        {
            if (!string.IsNullOrWhiteSpace(browserVariable))
            {
                return new BrowserCommand(BrowserCommandLine.BuildCommand(browserVariable, page.AbsoluteUri));
            }

            var path = page.IsFile ? page.LocalPath : page.AbsoluteUri;
            if (isWindows)
            {
                // From System32 by its full path: a bare name is looked for in the current folder first.
                return new BrowserCommand(new[] { System.IO.Path.Combine(Environment.SystemDirectory, "rundll32.exe"), "url.dll,FileProtocolHandler", path });
            }

            return new BrowserCommand(new[] { isMacOS ? "open" : "xdg-open", path });
        }
    }

    /// <summary>
    /// Writes the sign-in page (<see cref="SignInPage"/>: the URL on a command line is readable by
    /// every local user), starts the browser on it without a shell and never waits for it; an
    /// opener that exits with an error is reported. The page lives until the caller disposes it.
    /// </summary>
    internal sealed class SystemBrowserLauncher : IBrowserLauncher
    {
        private static readonly TimeSpan WatchFor = TimeSpan.FromSeconds(30);

        private readonly Func<string, string> environment;
        private readonly PrivateFolder pages;

        /// <param name="environment">Reads BROWSER.</param>
        /// <param name="pages">The module's own private folder, where the sign-in page is written.</param>
        public SystemBrowserLauncher(Func<string, string> environment, PrivateFolder pages)
        {
            this.environment = environment ?? throw new ArgumentNullException(nameof(environment));
            this.pages = pages ?? throw new ArgumentNullException(nameof(pages));
        }

        public IDisposable? Open(Uri url, IReporter report)
        {
            var page = SignInPage.Create(url, pages);
            try
            {
                Start(page.FileUri, report);
                return page;
            }
            catch
            {
                page.Dispose();
                throw;
            }
        }

        private void Start(Uri page, IReporter report)
        {
            var command = BrowserCommand.For(
                page,
                environment("BROWSER"),
                System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows),
                System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.OSX));
            var what = command.Argv[0];
            Process process;
            try
            {
                var info = new ProcessStartInfo(command.Argv[0], BrowserCommandLine.JoinArguments(command.Argv.Skip(1)))
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
