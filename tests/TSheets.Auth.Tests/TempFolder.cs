using System;
using System.IO;

namespace TSheets.Auth.Commands.Tests
{
    /// <summary>A temporary folder, removed when disposed.</summary>
    internal sealed class TempFolder : IDisposable
    {
        public TempFolder() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tsheets-tests-" + Guid.NewGuid().ToString("n"));

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
