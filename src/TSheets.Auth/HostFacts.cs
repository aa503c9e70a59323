using System;
using System.Management.Automation;

namespace TSheets.Auth.Commands
{
    /// <summary>What the PowerShell host says about whether a person can answer; Core adds the process's facts and decides.</summary>
    internal static class HostFacts
    {
        public static InteractionFacts For(PSCmdlet cmdlet)
        {
            var nonInteractive = false;
            foreach (var argument in Environment.GetCommandLineArgs())
            {
                nonInteractive |= IsNonInteractiveSwitch(argument);
            }

            var host = cmdlet.Host;
            return InteractionFacts.OfThisProcess(host?.Name, host?.UI != null, nonInteractive);
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
