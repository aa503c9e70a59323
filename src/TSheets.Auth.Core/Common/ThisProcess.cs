using System.Diagnostics;

namespace TSheets.Auth.Common
{
    /// <summary>This process's id, read once (netstandard2.0 has no Environment.ProcessId).</summary>
    internal static class ThisProcess
    {
        public static readonly int Id = Read();

        private static int Read()
        {
            using (var process = Process.GetCurrentProcess())
            {
                return process.Id;
            }
        }
    }
}
