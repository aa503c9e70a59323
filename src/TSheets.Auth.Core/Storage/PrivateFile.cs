#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.IO;
using System.Runtime.InteropServices;
using TSheets.Auth.Platform;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// The files the module keeps in a <see cref="PrivateFolder"/> (lock files with their records,
    /// sign-in pages): created 0600, opened without following links and checked after opening
    /// (<see cref="UnixPrivatePaths"/>); on Windows refused when a reparse point or another user's.
    /// </summary>
    internal static class PrivateFile
    {
        private static readonly bool IsWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>
        /// The file, created when missing, held exclusively (flock on Linux and macOS, no sharing on
        /// Windows: the OS lets go when the process dies). Null with <paramref name="held"/> when
        /// another holds it, else with why it cannot be used.
        /// </summary>
        public static FileStream OpenLocked(string path, out bool held, out string why)
        {
            held = false;
            if (IsWindows)
            {
                return OpenLockedOnWindows(path, out held, out why);
            }

            var file = UnixPrivatePaths.OpenFile(path, create: true, createNew: false, out _, out why);
            if (file == null)
            {
                return null;
            }

            if (!UnixNative.TryLock(file, out var error))
            {
                file.Dispose();
                held = error == UnixNative.ErrorWouldBlock;
                why = held ? null : $"'{path}' cannot be locked (error 0x{error:x})";
                return null;
            }

            // Removed (and perhaps made anew) by another process between the open and the lock: a lock on
            // a file no path names any more guards nothing. Told as held, so the caller opens it again.
            if (!UnixNative.TryLStat(path, out var named, out _) || !UnixNative.TryFStat(file, out var locked, out _) || !UnixNative.SameEntry(named, locked))
            {
                file.Dispose();
                held = true;
                return null;
            }

            return new FileStream(file, FileAccess.ReadWrite, 1);
        }

        /// <summary>A new file only this user can open, for writing; null with why when it cannot be made so.</summary>
        public static FileStream CreateNew(string path, out string why)
        {
            if (IsWindows)
            {
                why = null;
                return new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            }

            var file = UnixPrivatePaths.OpenFile(path, create: true, createNew: true, out _, out why);
            return file == null ? null : new FileStream(file, FileAccess.ReadWrite, 1);
        }

        /// <summary>Removes the file when no one holds it (and when it is a plain file of this user's).</summary>
        public static void DeleteUnheld(string path)
        {
            try
            {
                if (IsWindows)
                {
                    if (PrivacyRules.Judge(path, EntryKind.File, WindowsSecurity.Facts(path), false, out _) == PrivacyAction.Use)
                    {
                        using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose))
                        {
                        }
                    }

                    return;
                }

                using (var file = UnixPrivatePaths.OpenFile(path, create: false, createNew: false, out _, out _))
                {
                    if (file != null && UnixNative.TryLock(file, out _))
                    {
                        UnixPrivatePaths.Delete(path, file);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                // Missing, or held by a refresh right now: that process keeps using it.
            }
        }

        private static FileStream OpenLockedOnWindows(string path, out bool held, out string why)
        {
            held = false;
            try
            {
                if (PrivacyRules.Judge(path, EntryKind.File, WindowsSecurity.Facts(path), false, out why) == PrivacyAction.Refuse)
                {
                    return null;
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                why = $"'{path}' cannot be examined: {ex.Message}";
                return null;
            }

            FileStream file;
            try
            {
                file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException)
            {
                // A sharing violation: another process holds it (told apart from other failures by the caller's deadline).
                held = true;
                return null;
            }
            catch (UnauthorizedAccessException ex)
            {
                why = $"'{path}' cannot be opened: {ex.Message}";
                return null;
            }

            // Looked at again once open: a reparse point put there meanwhile is not written through.
            try
            {
                if (PrivacyRules.Judge(path, EntryKind.File, WindowsSecurity.Facts(path), false, out why) == PrivacyAction.Use)
                {
                    return file;
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                why = $"'{path}' cannot be examined: {ex.Message}";
            }

            file.Dispose();
            return null;
        }
    }
}
