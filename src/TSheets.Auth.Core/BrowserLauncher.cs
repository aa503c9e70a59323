using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;

namespace TSheets.Auth
{
    /// <summary>Opens a URL in the user's browser. Throws <see cref="BrowserLaunchException"/> when it cannot.</summary>
    public interface IBrowserLauncher
    {
        void Open(Uri url);
    }

    public sealed class BrowserLaunchException : Exception
    {
        public BrowserLaunchException(string message, Exception innerException = null)
            : base(message, innerException)
        {
        }
    }

    /// <summary>
    /// The <c>BROWSER</c> environment variable first (a command; the URL replaces <c>%s</c> or is
    /// appended), else the platform's opener. Started without a shell and never waited for.
    /// </summary>
    public sealed class SystemBrowserLauncher : IBrowserLauncher
    {
        public static readonly SystemBrowserLauncher Instance = new SystemBrowserLauncher();

        public void Open(Uri url)
        {
            var command = Environment.GetEnvironmentVariable("BROWSER");
            string[] argv;
            if (!string.IsNullOrWhiteSpace(command))
            {
                argv = BuildCommand(command, url.AbsoluteUri);
            }
            else if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                Start(new ProcessStartInfo(url.AbsoluteUri) { UseShellExecute = true }, "the default browser");
                return;
            }
            else
            {
                argv = new[] { RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "open" : "xdg-open", url.AbsoluteUri };
            }

            var info = new ProcessStartInfo(argv[0], JoinArguments(argv.Skip(1)))
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            Start(info, argv[0]);
        }

        /// <summary>Splits a command line (double or single quotes group words) and places the URL.</summary>
        public static string[] BuildCommand(string command, string url)
        {
            var words = Split(command);
            if (words.Count == 0)
            {
                throw new BrowserLaunchException("The BROWSER environment variable holds no command.");
            }

            if (words.Any(w => w.Contains("%s")))
            {
                return words.Select(w => w.Replace("%s", url)).ToArray();
            }

            words.Add(url);
            return words.ToArray();
        }

        /// <summary>Quotes arguments the way the runtime splits ProcessStartInfo.Arguments back into argv.</summary>
        public static string JoinArguments(IEnumerable<string> arguments)
        {
            var line = new StringBuilder();
            foreach (var argument in arguments)
            {
                if (line.Length > 0)
                {
                    line.Append(' ');
                }

                if (argument.Length > 0 && argument.IndexOfAny(new[] { ' ', '\t', '"' }) < 0)
                {
                    line.Append(argument);
                    continue;
                }

                line.Append('"');
                var backslashes = 0;
                foreach (var c in argument)
                {
                    if (c == '\\')
                    {
                        backslashes++;
                        continue;
                    }

                    line.Append('\\', c == '"' ? (backslashes * 2) + 1 : backslashes);
                    backslashes = 0;
                    line.Append(c);
                }

                line.Append('\\', backslashes * 2).Append('"');
            }

            return line.ToString();
        }

        private static List<string> Split(string command)
        {
            var words = new List<string>();
            var word = new StringBuilder();
            var inWord = false;
            char quote = '\0';
            foreach (var c in command)
            {
                if (quote != '\0')
                {
                    if (c == quote)
                    {
                        quote = '\0';
                    }
                    else
                    {
                        word.Append(c);
                    }
                }
                else if (c == '"' || c == '\'')
                {
                    quote = c;
                    inWord = true;
                }
                else if (char.IsWhiteSpace(c))
                {
                    if (inWord)
                    {
                        words.Add(word.ToString());
                        word.Clear();
                        inWord = false;
                    }
                }
                else
                {
                    word.Append(c);
                    inWord = true;
                }
            }

            if (inWord)
            {
                words.Add(word.ToString());
            }

            return words;
        }

        private static void Start(ProcessStartInfo info, string what)
        {
            try
            {
                var process = Process.Start(info) ?? throw new BrowserLaunchException($"Starting {what} returned no process.");
                process.EnableRaisingEvents = true;
                process.Exited += (_, _) => process.Dispose();
                if (info.RedirectStandardOutput)
                {
                    // Keep the opener's chatter off the user's console, and never block on full pipes.
                    process.OutputDataReceived += (_, _) => { };
                    process.ErrorDataReceived += (_, _) => { };
                    process.BeginOutputReadLine();
                    process.BeginErrorReadLine();
                    process.StandardInput.Close();
                }
            }
            catch (Exception ex) when (!(ex is BrowserLaunchException))
            {
                throw new BrowserLaunchException($"The browser could not be started ({what}): {ex.Message}", ex);
            }
        }
    }
}
