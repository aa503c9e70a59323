#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.IO;
using System.Runtime.InteropServices;
using TSheets.Auth.Platform;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// A small file the module keeps in one of its <see cref="PrivateFolder"/>s, read and replaced
    /// whole: read without following a link and only when it is this user's (as lock files are),
    /// written to a new 0600 file beside it and renamed over it in one step, so a reader in another
    /// process sees the old content or the new, never half of either. Writers that must not lose
    /// each other's changes serialize themselves (a lock); readers need none.
    /// </summary>
    internal static class PrivateDocument
    {
        private static readonly bool IsWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>The file's bytes; null when there is none, or (with why) when it cannot be read safely or is over <paramref name="maxBytes"/>.</summary>
        public static byte[] Read(string path, int maxBytes, out string why)
        {
            why = null;
            try
            {
                if (IsWindows)
                {
                    if (!File.Exists(path))
                    {
                        return null;
                    }

                    if (PrivacyRules.Judge(path, EntryKind.File, WindowsSecurity.Facts(path), false, out why) != PrivacyAction.Use)
                    {
                        return null;
                    }

                    using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                    {
                        return ReadBounded(stream, path, maxBytes, out why);
                    }
                }

                // Missing: null, and no why.
                var handle = UnixPrivatePaths.OpenFile(path, create: false, createNew: false, out _, out why);
                if (handle == null)
                {
                    return null;
                }

                using (var stream = new FileStream(handle, FileAccess.ReadWrite, 1))
                {
                    return ReadBounded(stream, path, maxBytes, out why);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                why = $"'{path}' cannot be read: {ex.Message}";
                return null;
            }
        }

        /// <summary>Replaces the file in <paramref name="folder"/> with <paramref name="content"/> in one step; false with why when it cannot be.</summary>
        public static bool Replace(string folder, string fileName, byte[] content, out string why)
        {
            var target = Path.Combine(folder, fileName);
            var temporary = Path.Combine(folder, $"{fileName}.{Guid.NewGuid():N}.tmp");
            try
            {
                using (var file = PrivateFile.CreateNew(temporary, out why))
                {
                    if (file == null)
                    {
                        return false;
                    }

                    file.Write(content, 0, content.Length);
                    file.Flush(flushToDisk: true);
                }

                if (IsWindows)
                {
                    return ReplaceOnWindows(temporary, target, out why);
                }

                if (!UnixNative.TryRename(temporary, target, out var error))
                {
                    why = $"'{target}' cannot be replaced (error 0x{error:x})";
                    return false;
                }

                temporary = null;
                return true;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                why = $"'{target}' cannot be written: {ex.Message}";
                return false;
            }
            finally
            {
                if (temporary != null)
                {
                    TryDelete(temporary);
                }
            }
        }

        private static bool ReplaceOnWindows(string temporary, string target, out string why)
        {
            if (File.Exists(target))
            {
                if (PrivacyRules.Judge(target, EntryKind.File, WindowsSecurity.Facts(target), false, out why) != PrivacyAction.Use)
                {
                    return false;
                }

                File.Replace(temporary, target, null);
            }
            else
            {
                File.Move(temporary, target);
            }

            why = null;
            return true;
        }

        private static byte[] ReadBounded(FileStream stream, string path, int maxBytes, out string why)
        {
            why = null;
            if (stream.Length > maxBytes)
            {
                why = $"'{path}' is larger than {maxBytes} bytes, which no file of the module's is";
                return null;
            }

            var content = new byte[stream.Length];
            var read = 0;
            while (read < content.Length)
            {
                var n = stream.Read(content, read, content.Length - read);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            if (read == content.Length)
            {
                return content;
            }

            var shorter = new byte[read];
            Array.Copy(content, shorter, read);
            return shorter;
        }

        private static void TryDelete(string path)
        {
            try
            {
                if (IsWindows)
                {
                    File.Delete(path);
                }
                else
                {
                    UnixNative.TryUnlink(path);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                // A temporary file left behind holds no secret; the next write makes its own.
            }
        }
    }
}
