using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Host;

namespace TSheets.Auth.Commands
{
    /// <summary>What the PowerShell host says about whether a person can answer; Core adds the process's facts and decides.</summary>
    internal static class HostFacts
    {
        /// <summary>The host's facts, into the sign-in's options.</summary>
        public static void Describe(PSHost host, IEnumerable<string> commandLine, SignInOptions options)
        {
            options.HostName = host?.Name;
            options.HostHasUserInterface = host?.UI != null;
            options.NonInteractiveSwitch = StartedNonInteractive(commandLine);
        }

        /// <summary>True when the process's command line holds <c>-NonInteractive</c> in any form pwsh accepts.</summary>
        public static bool StartedNonInteractive(IEnumerable<string> commandLine) => (commandLine ?? Enumerable.Empty<string>()).Any(IsNonInteractiveSwitch);

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
