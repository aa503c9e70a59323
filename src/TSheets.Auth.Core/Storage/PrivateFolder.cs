#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using TSheets.Auth.Platform;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// A folder the module keeps for itself under the user's data folder: every level the module
    /// makes is created private and checked again at every use, never once per process (a folder
    /// fine a minute ago may have been swapped for a link since). On Linux and macOS see
    /// <see cref="UnixPrivatePaths"/>; on Windows each level must be no reparse point, owned by
    /// this user (or SYSTEM or Administrators) and open to no one else by its access list (under
    /// %LOCALAPPDATA% it inherits exactly that). A folder that fails is not used at all.
    /// </summary>
    internal sealed class PrivateFolder
    {
        private static readonly bool IsWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        private readonly string[] levels;

        public PrivateFolder(string root, params string[] levels)
        {
            Root = root ?? throw new ArgumentNullException(nameof(root));
            this.levels = levels;
            Path = levels.Aggregate(root, System.IO.Path.Combine);
        }

        /// <summary>
        /// The module's own folder: %LOCALAPPDATA%\TSheets.Auth on Windows, $XDG_DATA_HOME (or
        /// ~/.local/share)/TSheets.Auth elsewhere; without a home (a service account, env -i) the
        /// temp folder, with the user's name in the folder's.
        /// </summary>
        public static PrivateFolder UserData()
        {
            var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            return string.IsNullOrEmpty(local)
                ? new PrivateFolder(System.IO.Path.GetTempPath(), "TSheets.Auth-" + Environment.UserName)
                : new PrivateFolder(local, "TSheets.Auth");
        }

        /// <summary>A folder at <paramref name="path"/> of which only the last level is the module's own (tests).</summary>
        public static PrivateFolder At(string path)
        {
            var full = System.IO.Path.GetFullPath(path);
            return new PrivateFolder(System.IO.Path.GetDirectoryName(full), System.IO.Path.GetFileName(full));
        }

        /// <summary>Where the levels hang: the user's (or the system's temp) folder, not the module's.</summary>
        public string Root { get; }

        public string Path { get; }

        public PrivateFolder Child(string level) => new PrivateFolder(Root, levels.Concat(new[] { level }).ToArray());

        /// <summary>The folder, made and checked now; null with why when it cannot be private to this user.</summary>
        public string Prepare(out string why)
        {
            try
            {
                return IsWindows ? PrepareOnWindows(out why) : UnixPrivatePaths.PrepareFolder(Root, levels, out why);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                why = $"'{Path}' cannot be used: {ex.Message}";
                return null;
            }
        }

        private string PrepareOnWindows(out string why)
        {
            var path = Root;
            foreach (var level in levels)
            {
                path = System.IO.Path.Combine(path, level);
                var action = PrivacyRules.Judge(path, EntryKind.Folder, WindowsSecurity.Facts(path), false, out why);
                if (action == PrivacyAction.Create)
                {
                    Directory.CreateDirectory(path);
                    action = PrivacyRules.Judge(path, EntryKind.Folder, WindowsSecurity.Facts(path), false, out why);
                }

                if (action != PrivacyAction.Use)
                {
                    return null;
                }
            }

            why = null;
            return path;
        }
    }
}
