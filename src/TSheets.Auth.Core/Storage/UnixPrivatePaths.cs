#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System.Collections.Generic;
using System.IO;
using Microsoft.Win32.SafeHandles;
using TSheets.Auth.Platform;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// The module's folders and files on Linux and macOS, checked at every use: each folder level the
    /// module makes is created 0700 and each file 0600 whatever the umask, each is looked at with
    /// lstat (a link is refused, never followed; the owner must be this user's uid) and files are
    /// opened with O_NOFOLLOW, then fstat must show the very entry lstat saw, so a path swapped
    /// between the check and the open is noticed before anything is written.
    /// </summary>
    internal static class UnixPrivatePaths
    {
        private const int FolderMode = 0x1C0; // 0700
        private const int FileMode = 0x180;   // 0600

        /// <summary>
        /// The folder <paramref name="root"/>/<paramref name="levels"/>, every level made private to
        /// this user; null (with why) when one cannot be. Missing ancestors of the root are made 0700
        /// too (XDG's rule); existing ones are the user's own business and left as they are.
        /// </summary>
        public static string PrepareFolder(string root, IReadOnlyList<string> levels, out string why)
        {
            why = UnixNative.WhyUnavailable;
            if (why != null)
            {
                return null;
            }

            MakeMissingAncestors(root);
            var path = root;
            foreach (var level in levels)
            {
                path = Path.Combine(path, level);
                if (!PrepareLevel(path, out why))
                {
                    return null;
                }
            }

            return path;
        }

        /// <summary>
        /// Opens (creating 0600 when missing, or only creating with <paramref name="createNew"/>) a
        /// file in a prepared folder, for reading and writing; null with why, or with
        /// <paramref name="missing"/> when <paramref name="create"/> is false and there is none.
        /// </summary>
        public static SafeFileHandle OpenFile(string path, bool create, bool createNew, out bool missing, out string why)
        {
            missing = false;
            for (var attempt = 0; attempt < 3; attempt++)
            {
                why = null;
                var seen = UnixNative.TryLStat(path, out var before, out var error);
                if (!seen && error != UnixNative.ErrorNotFound)
                {
                    why = $"'{path}' cannot be examined (error 0x{error:x})";
                    return null;
                }

                if (!seen && !create)
                {
                    missing = true;
                    why = null;
                    return null;
                }

                if (seen && createNew)
                {
                    why = $"'{path}' already exists";
                    return null;
                }

                var myUid = UnixNative.EffectiveUserId;
                if (seen && PrivacyRules.Judge(path, EntryKind.File, EntryFacts.FromUnix(before.Mode, before.Uid, myUid), true, out why) == PrivacyAction.Refuse)
                {
                    return null;
                }

                // A missing file is created exclusively: O_CREAT|O_EXCL never follows a link, even a dangling one.
                var flags = UnixNative.ReadWrite | UnixNative.CloseOnExec | UnixNative.NoFollow | (seen ? 0 : UnixNative.Create | UnixNative.Exclusive);
                var file = UnixNative.Open(path, flags, FileMode, out error);
                if (file == null)
                {
                    if (error == UnixNative.ErrorExists || error == UnixNative.ErrorNotFound)
                    {
                        continue; // Made or removed meanwhile: look again.
                    }

                    why = error == UnixNative.ErrorLoop ? $"'{path}' is a symbolic link, which is never followed" : $"'{path}' cannot be opened (error 0x{error:x})";
                    return null;
                }

                if (!UnixNative.TryFStat(file, out var opened, out _)
                    || (seen && !UnixNative.SameEntry(before, opened))
                    || PrivacyRules.Judge(path, EntryKind.File, EntryFacts.FromUnix(opened.Mode, opened.Uid, myUid), true, out why) == PrivacyAction.Refuse
                    || ((opened.Mode & 0x1FF) != FileMode && !UnixNative.TryChangeMode(file, FileMode, out _)))
                {
                    why = why ?? $"'{path}' changed while it was being opened";
                    file.Dispose();
                    return null;
                }

                return file;
            }

            why = $"'{path}' keeps changing";
            return null;
        }

        /// <summary>Removes a file the caller holds open, if the path still names it.</summary>
        public static void Delete(string path, SafeFileHandle file)
        {
            if (UnixNative.TryLStat(path, out var named, out _) && UnixNative.TryFStat(file, out var held, out _) && UnixNative.SameEntry(named, held))
            {
                UnixNative.TryUnlink(path);
            }
        }

        public static void DeleteFolder(string path) => UnixNative.TryRemoveDirectory(path);

        private static bool PrepareLevel(string path, out string why)
        {
            var myUid = UnixNative.EffectiveUserId;
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var seen = UnixNative.TryLStat(path, out var status, out var error);
                if (!seen && error != UnixNative.ErrorNotFound)
                {
                    why = $"'{path}' cannot be examined (error 0x{error:x})";
                    return false;
                }

                var facts = seen ? EntryFacts.FromUnix(status.Mode, status.Uid, myUid) : new EntryFacts { Kind = EntryKind.Missing };
                switch (PrivacyRules.Judge(path, EntryKind.Folder, facts, true, out why))
                {
                    case PrivacyAction.Use:
                        return true;
                    case PrivacyAction.Create:
                        // 0700 asked of mkdir: the umask can only take bits away. Then looked at again.
                        if (!UnixNative.TryMakeDirectory(path, FolderMode, out error) && error != UnixNative.ErrorExists)
                        {
                            why = $"'{path}' cannot be created (error 0x{error:x})";
                            return false;
                        }

                        continue;
                    case PrivacyAction.MakePrivate:
                        if (!MakePrivate(path, status, out why))
                        {
                            return false;
                        }

                        continue;
                    default:
                        return false;
                }
            }

            why = $"'{path}' keeps changing";
            return false;
        }

        /// <summary>chmod 0700 through a descriptor of the very folder lstat saw (never a path that may have become a link).</summary>
        private static bool MakePrivate(string path, UnixNative.FileStatus seen, out string why)
        {
            using (var folder = UnixNative.Open(path, UnixNative.ReadOnly | UnixNative.CloseOnExec | UnixNative.NoFollow, 0, out var error))
            {
                if (folder == null || !UnixNative.TryFStat(folder, out var opened, out error) || !UnixNative.SameEntry(seen, opened)
                    || !UnixNative.TryChangeMode(folder, FolderMode, out error))
                {
                    why = $"'{path}' cannot be made private to this user (error 0x{error:x})";
                    return false;
                }
            }

            why = null;
            return true;
        }

        private static void MakeMissingAncestors(string root)
        {
            var missing = new Stack<string>();
            for (var path = root; !string.IsNullOrEmpty(path) && !Directory.Exists(path); path = Path.GetDirectoryName(path))
            {
                missing.Push(path);
            }

            while (missing.Count > 0)
            {
                UnixNative.TryMakeDirectory(missing.Pop(), FolderMode, out _);
            }
        }
    }
}
