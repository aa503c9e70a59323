using System;
using System.Globalization;
using System.Management.Automation;
using System.Runtime.InteropServices;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Whether this PowerShell can run the module. The assemblies reference System.Text.Json 8,
    /// which PowerShell 7.0 to 7.3 (.NET Core 3.1 to .NET 7) cannot bind: without this check the
    /// import works and the first command fails with a loader error. Windows PowerShell 5.1 binds
    /// the copies the module ships (with its resolver); PowerShell 7.4 and later, the runtime's own.
    /// </summary>
    internal static class RuntimeSupport
    {
        /// <summary>Test knob (undocumented for users): the PowerShell version the import check decides for, e.g. "7.3".</summary>
        public const string TestVersionVariable = "TSHEETS_AUTH_TEST_PSVERSION";

        public static readonly Version FirstSupportedCore = new Version(7, 4);

        /// <summary>The edition and version this process runs (the version from System.Management.Automation's own, as $PSVersionTable has it).</summary>
        public static (bool Desktop, Version Version) Current()
        {
            var desktop = RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);
            var assembly = typeof(PSObject).Assembly.GetName().Version;
            var version = new Version(assembly.Major, assembly.Minor);
            var injected = Environment.GetEnvironmentVariable(TestVersionVariable);
            if (!string.IsNullOrEmpty(injected) && Version.TryParse(injected, out var given))
            {
                version = given;
            }

            return (desktop, version);
        }

        /// <summary>Why the module cannot run on this PowerShell, in words that say what to do; null when it can.</summary>
        public static string WhyUnsupported(bool desktop, Version version)
        {
            if (desktop || version >= FirstSupportedCore)
            {
                return null;
            }

            var shown = version.ToString(2);
            return string.Format(
                CultureInfo.InvariantCulture,
                "TSheets.Auth needs PowerShell {0} or later, or Windows PowerShell 5.1: this is PowerShell {1}, whose .NET cannot load System.Text.Json 8, which the module is built on. Install the current PowerShell (https://aka.ms/powershell) and run it there (pwsh), or use Windows PowerShell 5.1 (powershell.exe).",
                FirstSupportedCore.ToString(2),
                shown);
        }
    }
}
