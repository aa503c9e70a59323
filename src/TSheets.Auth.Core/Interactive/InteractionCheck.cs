using System;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TSheets.Auth.Interactive
{
    /// <summary>The facts that decide whether a person can answer, and whether a browser can open: injected, so the decision is testable.</summary>
    internal sealed class InteractionFacts
    {
        public bool NonInteractiveSwitch { get; set; }

        /// <summary>The PowerShell host's name: ConsoleHost reads its prompts from standard input.</summary>
        public string? HostName { get; set; }

        public bool HostHasUserInterface { get; set; }

        /// <summary>Environment.UserInteractive: false in a Windows service or a task that runs whether the user is logged on or not.</summary>
        public bool UserInteractive { get; set; } = true;

        public bool InputRedirected { get; set; }

        public bool IsWindows { get; set; }

        public bool IsMacOS { get; set; }

        /// <summary>The Windows session (0 is where services run, with no desktop).</summary>
        public int SessionId { get; set; } = 1;

        public Func<string, string?> Environment { get; set; } = _ => null;

        /// <summary>The facts of this process, with what only the PowerShell host knows and the environment the module reads.</summary>
        public static InteractionFacts OfThisProcess(string? hostName, bool hostHasUserInterface, bool nonInteractiveSwitch, Func<string, string?> environment)
        {
            int session;
            using (var process = Process.GetCurrentProcess())
            {
                session = process.SessionId;
            }

            return new InteractionFacts
            {
                NonInteractiveSwitch = nonInteractiveSwitch,
                HostName = hostName,
                HostHasUserInterface = hostHasUserInterface,
                UserInteractive = System.Environment.UserInteractive,
                InputRedirected = Console.IsInputRedirected,
                IsWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows),
                IsMacOS = RuntimeInformation.IsOSPlatform(OSPlatform.OSX),
                SessionId = session,
                Environment = environment,
            };
        }
    }

    /// <summary>
    /// One decision, made before any listener, browser or prompt: can a person answer here? And
    /// can a browser open? A scheduled task that forgot -NonInteractive must fail at once, not
    /// wait five minutes for a browser nobody sees or read the end of /dev/null.
    /// </summary>
    internal static class InteractionCheck
    {
        /// <summary>Why no person can answer (for the message), or null when one can.</summary>
        public static string? WhyNoOneCanAnswer(InteractionFacts facts)
        {
            if (facts.NonInteractiveSwitch)
            {
                return "PowerShell was started with -NonInteractive";
            }

            if (!facts.HostHasUserInterface || facts.HostName == "Default Host" || facts.HostName == "ServerRemoteHost")
            {
                return $"its host ('{facts.HostName}') has no user interface (a background job, remoting, a hosted runspace)";
            }

            if (!facts.UserInteractive)
            {
                return "it is not an interactive Windows session (a service, or a task that runs whether the user is logged on or not)";
            }

            if (facts.IsWindows && facts.SessionId == 0)
            {
                return "it runs in Windows session 0, where services run and no one sees a desktop";
            }

            if (facts.InputRedirected && facts.HostName == "ConsoleHost")
            {
                return "its standard input is redirected or closed (cron, a pipe, pwsh -File job.ps1 < /dev/null)";
            }

            return null;
        }

        /// <summary>Why no browser can be opened here (the user then opens the URL elsewhere), or null when one can.</summary>
        public static string? WhyNoBrowser(InteractionFacts facts)
        {
            if (!string.IsNullOrWhiteSpace(facts.Environment("BROWSER")))
            {
                return null;
            }

            if (!string.IsNullOrEmpty(facts.Environment("SSH_CONNECTION")) || !string.IsNullOrEmpty(facts.Environment("SSH_TTY")))
            {
                return "this is an SSH session";
            }

            if (!facts.IsWindows && !facts.IsMacOS
                && string.IsNullOrEmpty(facts.Environment("DISPLAY")) && string.IsNullOrEmpty(facts.Environment("WAYLAND_DISPLAY")))
            {
                return "there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)";
            }

            return null;
        }
    }
}
