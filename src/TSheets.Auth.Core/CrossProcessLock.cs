using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace TSheets.Auth
{
    /// <summary>
    /// A system-wide lock named from a vault and a connection, so processes sharing a vault entry
    /// refresh one at a time. It is an exclusively opened file (FileShare.None: a share lock on
    /// Windows, flock on Linux and macOS) that the operating system releases when its process
    /// dies, so a process killed mid-refresh leaves no stale lock. No thread affinity, unlike a
    /// named mutex, so it can be held across an await.
    /// </summary>
    internal sealed class CrossProcessLock : IDisposable
    {
        private readonly FileStream file;

        private CrossProcessLock(FileStream file) => this.file = file;

        public static string PathFor(string vault, string connectionName)
        {
            using (var sha = SHA256.Create())
            {
                var key = Encoding.UTF8.GetBytes(vault.ToUpperInvariant() + "\n" + connectionName.ToUpperInvariant());
                var hash = BitConverter.ToString(sha.ComputeHash(key)).Replace("-", string.Empty).Substring(0, 32).ToLowerInvariant();
                return Path.Combine(Path.GetTempPath(), "TSheets.Auth", "locks", hash + ".lock");
            }
        }

        /// <summary>The lock, or null when it could not be had within <paramref name="timeout"/>.</summary>
        public static CrossProcessLock TryAcquire(string vault, string connectionName, TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            var path = PathFor(vault, connectionName);
            Directory.CreateDirectory(Path.GetDirectoryName(path));
            var deadline = DateTime.UtcNow + timeout;
            var random = new Random();
            while (true)
            {
                try
                {
                    return new CrossProcessLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    cancellationToken.WaitHandle.WaitOne(25 + random.Next(50));
                    cancellationToken.ThrowIfCancellationRequested();
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    // Held past the timeout, or a lock file this account may not open: go on
                    // without it; a lost race is recovered from the vault (see TokenService).
                    return null;
                }
            }
        }

        public void Dispose() => file.Dispose();
    }
}
