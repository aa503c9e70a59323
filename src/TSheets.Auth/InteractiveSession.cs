using System;
using System.Management.Automation;

namespace TSheets.Auth.Commands
{
    /// <summary>Whether a person can answer: never prompt, open a browser or wait in automation.</summary>
    internal static class InteractiveSession
    {
        public static bool IsInteractive(PSCmdlet cmdlet)
        {
            // A Windows service or a scheduled task running whether the user is logged on or not.
            if (!Environment.UserInteractive)
            {
                return false;
            }

            // A runspace without a user interface (the SDK's default host, a remote server host).
            var host = cmdlet.Host;
            if (host?.UI == null || host.Name == "Default Host" || host.Name == "ServerRemoteHost")
            {
                return false;
            }

            foreach (var argument in Environment.GetCommandLineArgs())
            {
                if (IsNonInteractiveSwitch(argument))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary><c>-NonInteractive</c> or any prefix of it pwsh accepts (<c>-noni</c> and up), with - or /.</summary>
        internal static bool IsNonInteractiveSwitch(string argument)
        {
            if (argument == null || argument.Length < 5 || (argument[0] != '-' && argument[0] != '/'))
            {
                return false;
            }

            var name = argument.Substring(1).TrimStart('-');
            return name.Length >= 4 && "noninteractive".StartsWith(name, StringComparison.OrdinalIgnoreCase);
        }
    }
}
