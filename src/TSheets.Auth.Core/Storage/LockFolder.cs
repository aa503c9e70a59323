// Nullable annotations not yet made for this folder (issue 23 started with Common, OAuth, Http, Api and Platform).
#nullable disable

using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace TSheets.Auth
{
    /// <summary>
    /// The per-user folder that holds the cross-process locks and their records: in the user's
    /// own local application data (on Windows %LOCALAPPDATA%, which only that user, SYSTEM and
    /// administrators can open), mode 0700 on Linux and macOS. A folder this account cannot make
    /// private (one another user created) is refused: then refreshes go on without the lock, and
    /// a lost race is recovered from the vault.
    /// </summary>
    internal sealed class LockFolder
    {
        private const int OwnerOnly = 0x1C0; // 0700

        private readonly Lazy<string> ready;

        public LockFolder(string path)
        {
            Path = path;
            ready = new Lazy<string>(() => Prepare(path));
        }

        public string Path { get; }

        /// <summary>The folder, created and private; null when it cannot be made private for this user.</summary>
        public string Ready => ready.Value;

        internal static string DefaultPath()
        {
            var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            if (string.IsNullOrEmpty(local))
            {
                // No home (a service account, env -i): the temp folder, with the user's name in it.
                return System.IO.Path.Combine(System.IO.Path.GetTempPath(), "TSheets.Auth-" + Environment.UserName, "locks");
            }

            return System.IO.Path.Combine(local, "TSheets.Auth", "locks");
        }

        private static string Prepare(string path)
        {
            try
            {
                Directory.CreateDirectory(path);
                if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    // In the temp folder the parent is shared ground: it must be this user's too.
                    var parent = System.IO.Path.GetDirectoryName(path);
                    var inTemp = parent != null && parent.StartsWith(System.IO.Path.GetTempPath(), StringComparison.Ordinal);
                    if ((inTemp && !MakePrivate(parent)) || !MakePrivate(path))
                    {
                        return null;
                    }
                }

                return path;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return null;
            }
        }

        /// <summary>
        /// chmod 0700, then read the mode back. Only the owner (or root) may chmod, so success also
        /// proves the folder is this user's. Through reflection: File.SetUnixFileMode exists on the
        /// .NET that PowerShell 7 runs on, not in netstandard2.0; Windows PowerShell never gets here.
        /// </summary>
        internal static bool MakePrivate(string path)
        {
            var modeType = Type.GetType("System.IO.UnixFileMode, System.Runtime", throwOnError: false)
                ?? typeof(File).Assembly.GetType("System.IO.UnixFileMode", throwOnError: false);
            var set = typeof(File).GetMethod("SetUnixFileMode", new[] { typeof(string), modeType ?? typeof(object) });
            var get = typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });
            if (modeType == null || set == null || get == null)
            {
                return false;
            }

            try
            {
                set.Invoke(null, new object[] { path, Enum.ToObject(modeType, OwnerOnly) });
                return (Convert.ToInt32(get.Invoke(null, new object[] { path }), System.Globalization.CultureInfo.InvariantCulture) & 0x1FF) == OwnerOnly;
            }
            catch (TargetInvocationException)
            {
                return false;
            }
        }
    }
}
