using System;
using System.IO;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Threading;
using TSheets.Auth.Operations;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Core, built once per process at the first cmdlet that needs it (importing the module loads
    /// neither Core nor System.Text.Json): the real environment, this PowerShell's home, and
    /// SecretManagement through the module's private runspace.
    /// </summary>
    internal static class ModuleRoot
    {
        private static readonly Lazy<TSheetsOperations> Built = new Lazy<TSheetsOperations>(Build, LazyThreadSafetyMode.ExecutionAndPublication);

        public static TSheetsOperations Operations => Built.Value;

        private static TSheetsOperations Build() =>
            TSheetsOperations.Create(Environment.GetEnvironmentVariable, PowerShellHome(), callTimeout => new SecretManagementBridge(callTimeout));

        /// <summary>
        /// PSHOME of this PowerShell, found from where System.Management.Automation was loaded
        /// (PowerShell 7 keeps it beside pwsh); Windows PowerShell loads it from the GAC, so there
        /// it is the system's WindowsPowerShell folder.
        /// </summary>
        internal static string PowerShellHome()
        {
            var folder = Path.GetDirectoryName(typeof(PSObject).Assembly.Location);
            if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase)
                && (folder == null || !File.Exists(Path.Combine(folder, "powershell.exe"))))
            {
                return Path.Combine(Environment.SystemDirectory, "WindowsPowerShell", "v1.0");
            }

            return folder;
        }
    }
}
