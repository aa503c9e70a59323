#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Reporting;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// A per-user, system-wide lock named from a vault and a connection, so processes sharing a
    /// vault entry refresh one at a time. It is an exclusively opened file (a share lock on
    /// Windows, flock on Linux and macOS) in the user's private <see cref="LockFolder"/>, never
    /// opened through a link (<see cref="PrivateFile"/>), that the OS releases when its process dies, so a process
    /// killed mid-refresh leaves no stale lock; it has no thread affinity, so it is held across
    /// awaits. The file is also the connection's <see cref="RefreshRecord"/>: one file per vault
    /// entry, reused by every refresh, removed with the connection.
    /// </summary>
    internal sealed class VaultLock : IDisposable
    {
        private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(20);

        private readonly FileStream file;

        private VaultLock(FileStream file) => this.file = file;

        public static string FileName(string vault, string connectionName)
        {
            using (var sha = SHA256.Create())
            {
                var key = Encoding.UTF8.GetBytes(vault.ToUpperInvariant() + "\n" + connectionName.ToUpperInvariant());
                return BitConverter.ToString(sha.ComputeHash(key)).Replace("-", string.Empty).Substring(0, 32).ToLowerInvariant() + ".lock";
            }
        }

        /// <summary>
        /// The lock, or null when it could not be had within <paramref name="timeout"/> or the
        /// folder or file cannot be used safely (then the caller goes on without it, which
        /// <paramref name="report"/> hears in verbose: a lost race is recovered from the vault).
        /// The folder and the file are checked again at every attempt. <paramref name="cancellationToken"/> ends the wait.
        /// </summary>
        public static async Task<VaultLock> AcquireAsync(LockFolder folder, string vault, string connectionName, TimeSpan timeout, IClock clock, CancellationToken cancellationToken, IReporter report = null)
        {
            var deadline = clock.UtcNow + timeout;
            var poll = FirstPoll;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var directory = folder.Prepare(out var why);
                var held = false;
                var file = directory == null ? null : PrivateFile.OpenLocked(Path.Combine(directory, FileName(vault, connectionName)), out held, out why);
                if (file != null)
                {
                    return new VaultLock(file);
                }

                if (!held)
                {
                    report?.Verbose($"Going on without the cross-process lock for '{connectionName}' in vault '{vault}': {why}. Another process refreshing it at this moment may race this one; the vault read recovers from that.");
                    return null;
                }

                if (clock.UtcNow >= deadline)
                {
                    return null;
                }

                await clock.DelayAsync(poll, cancellationToken).ConfigureAwait(false);
                poll = poll.TotalMilliseconds < 200 ? TimeSpan.FromTicks(poll.Ticks * 2) : poll;
            }
        }

        /// <summary>Removes a connection's lock file, when no one holds it.</summary>
        public static void Delete(LockFolder folder, string vault, string connectionName)
        {
            var directory = folder.Prepare(out _);
            if (directory != null)
            {
                PrivateFile.DeleteUnheld(Path.Combine(directory, FileName(vault, connectionName)));
            }
        }

        /// <summary>What the last process to store this entry's pair wrote; null when nothing (or nothing readable) was.</summary>
        public RefreshRecord ReadRecord()
        {
            try
            {
                return ReadRecordText();
            }
            catch (IOException)
            {
                return null;
            }
        }

        /// <summary>Notes which pair is current; best effort (a record that cannot be written costs a vault read later, nothing more).</summary>
        public void WriteRecord(RefreshRecord record)
        {
            try
            {
                var bytes = Encoding.UTF8.GetBytes(record.ToString());
                file.Position = 0;
                file.SetLength(0);
                file.Write(bytes, 0, bytes.Length);
                file.Flush(flushToDisk: true);
            }
            catch (IOException)
            {
                // A full disk, say: the next process reads the vault instead.
            }
        }

        public void Dispose() => file.Dispose();

        private RefreshRecord ReadRecordText()
        {
            file.Position = 0;
            var buffer = new byte[Math.Min(file.Length, 4096)];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = file.Read(buffer, read, buffer.Length - read);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return RefreshRecord.Parse(Encoding.UTF8.GetString(buffer, 0, read));
        }

    }
}
