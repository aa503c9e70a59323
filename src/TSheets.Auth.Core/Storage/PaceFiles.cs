#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using TSheets.Auth.Platform;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// The shared pacing files, one per token in the user's <see cref="LockFolder"/>, each visited under
    /// its OS lock, one visit at a time in this process. The first visit opens the file through the
    /// private-file code (the folder and the file checked: 0600, no link, this user's); on Linux and macOS
    /// the descriptor is then kept, and each later visit locks it and checks that the path still names that
    /// very file (lstat against fstat), else opens it anew with every check: a pacer visits twice per call,
    /// and the checks of a first open cost more than the call's own bookkeeping. On Windows the file is
    /// opened unshared at each visit (the open is the lock). A file no one wrote for a day holds nothing (no
    /// window is longer) and is removed by the next process that opens one, at most once an hour.
    /// </summary>
    internal sealed class PaceFiles
    {
        /// <summary>A visit takes microseconds; a lock held longer than this is a stopped process's, and is not waited on.</summary>
        private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(2);

        private static readonly TimeSpan SweepEvery = TimeSpan.FromHours(1);

        /// <summary>The longest window TSHEETS_AUTH_RATE_LIMIT admits (a day), and a little more.</summary>
        private static readonly TimeSpan Stale = TimeSpan.FromDays(1) + TimeSpan.FromMinutes(5);

        private static readonly bool KeepOpen = !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        private const int MaxKept = 64;

        private readonly LockFolder folder;
        private readonly ConcurrentDictionary<string, Kept> kept = new ConcurrentDictionary<string, Kept>(StringComparer.Ordinal);
        private long lastSweep;

        public PaceFiles(LockFolder folder) => this.folder = folder ?? throw new ArgumentNullException(nameof(folder));

        /// <summary>The file of a token key: its fingerprint's hex digits (anything else is hashed into some), never the token.</summary>
        public static string FileName(string tokenKey) =>
            (tokenKey.Length <= 64 && tokenKey.All(Uri.IsHexDigit) ? tokenKey.ToLowerInvariant() : Common.Fingerprint.Of(tokenKey)) + ".pace";

        /// <summary>The token's file, locked until the visit is disposed; null with why when it cannot be had safely or soon.</summary>
        public Visit Open(string tokenKey, out string why)
        {
            if (!KeepOpen)
            {
                var file = OpenChecked(tokenKey, out why);
                return file == null ? null : new Visit(file, null);
            }

            if (kept.Count > MaxKept)
            {
                // Tokens come and go with refreshes: let the old ones' descriptors go now and then.
                foreach (var old in kept.Keys.ToList())
                {
                    if (kept.TryRemove(old, out var dropped))
                    {
                        lock (dropped)
                        {
                            dropped.Close();
                        }
                    }
                }
            }

            var entry = kept.GetOrAdd(tokenKey, _ => new Kept());
            Monitor.Enter(entry);
            try
            {
                var file = entry.File == null ? OpenChecked(tokenKey, out why) : Relock(entry.File, tokenKey, out why);
                if (file == null)
                {
                    entry.Close();
                    Monitor.Exit(entry);
                    return null;
                }

                entry.File = file;
                return new Visit(file, entry);
            }
            catch
            {
                entry.Close();
                Monitor.Exit(entry);
                throw;
            }
        }

        /// <summary>The kept descriptor locked again, if the path still names its file; else the file opened anew.</summary>
        private FileStream Relock(FileStream file, string tokenKey, out string why)
        {
            var waited = Stopwatch.StartNew();
            while (!UnixNative.TryLock(file.SafeFileHandle, out var error))
            {
                if (error != UnixNative.ErrorWouldBlock || waited.Elapsed > LockWait)
                {
                    why = error != UnixNative.ErrorWouldBlock ? $"the pacing file cannot be locked (error 0x{error:x})" : HeldTooLong();
                    file.Dispose();
                    return null;
                }

                Thread.Sleep(1);
            }

            var path = Path.Combine(folder.Path, FileName(tokenKey));
            if (UnixNative.TryLStat(path, out var named, out _) && UnixNative.TryFStat(file.SafeFileHandle, out var open, out _) && UnixNative.SameEntry(named, open))
            {
                why = null;
                return file;
            }

            // Removed, replaced or moved since: never used again; the path is opened with every check.
            file.Dispose();
            return OpenChecked(tokenKey, out why);
        }

        /// <summary>Prepares the folder and opens and locks the file with every check, waiting a little for another holder.</summary>
        private FileStream OpenChecked(string tokenKey, out string why)
        {
            var waited = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    var directory = folder.Prepare(out why);
                    if (directory == null)
                    {
                        return null;
                    }

                    SweepNowAndThen(directory);
                    var file = PrivateFile.OpenLocked(Path.Combine(directory, FileName(tokenKey)), out var held, out why);
                    if (file != null || !held)
                    {
                        return file;
                    }
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    why = $"the pacing file cannot be used: {ex.Message}";
                    return null;
                }

                if (waited.Elapsed > LockWait)
                {
                    why = HeldTooLong();
                    return null;
                }

                Thread.Sleep(1);
            }
        }

        private string HeldTooLong() => $"another process has held this token's pacing file in '{folder.Path}' for over {LockWait.TotalSeconds:0} s";

        /// <summary>Removes the pacing files of tokens no one used for a day, when no one holds them; at most once an hour per process.</summary>
        private void SweepNowAndThen(string directory)
        {
            var now = DateTime.UtcNow.Ticks;
            var last = Interlocked.Read(ref lastSweep);
            if (now - last < SweepEvery.Ticks || Interlocked.CompareExchange(ref lastSweep, now, last) != last)
            {
                return;
            }

            foreach (var path in Directory.EnumerateFiles(directory, "*.pace"))
            {
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(path) > Stale)
                {
                    PrivateFile.DeleteUnheld(path);
                }
            }
        }

        /// <summary>One visit: the locked file; disposing it lets go of the lock (and, on Windows, of the file).</summary>
        internal sealed class Visit : IDisposable
        {
            private readonly Kept entry;

            public Visit(FileStream file, Kept entry)
            {
                File = file;
                this.entry = entry;
            }

            public FileStream File { get; }

            /// <summary>The file failed mid-visit: the kept descriptor is not used again.</summary>
            public void Discard() => entry?.Close();

            public void Dispose()
            {
                if (entry == null)
                {
                    File.Dispose();
                    return;
                }

                if (entry.File != null && !UnixNative.TryUnlock(File.SafeFileHandle))
                {
                    entry.Close();
                }

                Monitor.Exit(entry);
            }
        }

        /// <summary>A token's kept descriptor (Linux and macOS); the object itself is the in-process lock of its visits.</summary>
        internal sealed class Kept
        {
            public FileStream File { get; set; }

            public void Close()
            {
                File?.Dispose();
                File = null;
            }
        }
    }
}
