using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Host;

namespace TSheets.Auth.Commands
{
    /// <summary>What the PowerShell host says about whether a person can answer; Core adds the process's facts and decides.</summary>
    internal static class HostFacts
    {
        /// <summary>The host's name and whether it has a user interface, and whether pwsh was started -NonInteractive.</summary>
        public static HostView Of(PSHost host, IEnumerable<string> commandLine) =>
            new HostView(host?.Name, host?.UI != null, StartedNonInteractive(commandLine));

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

    /// <summary>The host's facts, as plain values for Core's options.</summary>
    internal readonly struct HostView
    {
        public HostView(string name, bool hasUserInterface, bool nonInteractive)
        {
            Name = name;
            HasUserInterface = hasUserInterface;
            NonInteractive = nonInteractive;
        }

        public string Name { get; }

        public bool HasUserInterface { get; }

        public bool NonInteractive { get; }
    }
}
