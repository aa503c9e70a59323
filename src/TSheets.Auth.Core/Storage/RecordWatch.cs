#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Collections.Concurrent;
using System.IO;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// Tells, for the price of one file-time read, whether the record beside a vault entry's lock
    /// changed since this process last looked: then another process may have stored a newer pair,
    /// and the caller looks under the lock. Every call for a vault-held connection asks, so a
    /// long-running session learns of a rotation made elsewhere at its next call, and its own
    /// SecretStore copy is made fresh with it (before the person's next Set-Secret can write the
    /// old pair back).
    /// </summary>
    internal sealed class RecordWatch
    {
        private readonly LockFolder folder;
        private readonly ConcurrentDictionary<string, Seen> seen = new ConcurrentDictionary<string, Seen>(StringComparer.OrdinalIgnoreCase);

        public RecordWatch(LockFolder folder) => this.folder = folder ?? throw new ArgumentNullException(nameof(folder));

        /// <summary>True the first time a vault entry is asked about, and whenever its record file changed since.</summary>
        public bool Changed(Connection connection)
        {
            if (connection.Vault == null)
            {
                return false;
            }

            var directory = folder.Prepare(out _);
            if (directory == null)
            {
                return false;
            }

            var key = connection.Vault + "\n" + connection.Name;
            var entry = seen.GetOrAdd(key, _ => new Seen(Path.Combine(directory, VaultLock.FileName(connection.Vault, connection.Name))));
            DateTime stamp;
            try
            {
                stamp = File.GetLastWriteTimeUtc(entry.Path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return false;
            }

            var previous = entry.Swap(stamp);
            return previous != stamp || previous == DateTime.MinValue;
        }

        /// <summary>Makes the next <see cref="Changed"/> for this entry true (a look that could not be had now).</summary>
        public void Forget(Connection connection)
        {
            if (connection.Vault != null && seen.TryGetValue(connection.Vault + "\n" + connection.Name, out var entry))
            {
                entry.Swap(DateTime.MinValue);
            }
        }

        private sealed class Seen
        {
            private long ticks = DateTime.MinValue.Ticks;

            public Seen(string path) => Path = path;

            public string Path { get; }

            public DateTime Swap(DateTime stamp) => new DateTime(System.Threading.Interlocked.Exchange(ref ticks, stamp.Ticks), DateTimeKind.Utc);
        }
    }
}
