#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// The per-user folder that holds the cross-process locks and their records: <c>locks</c> in the
    /// module's own <see cref="PrivateFolder"/> (%LOCALAPPDATA%\TSheets.Auth, ~/.local/share/TSheets.Auth).
    /// Checked at every use: a folder that is a link, belongs to another user or cannot be made
    /// private is refused, and refreshes go on without the lock (a lost race is recovered from the vault).
    /// </summary>
    internal sealed class LockFolder
    {
        private readonly PrivateFolder folder;

        /// <summary>A lock folder at <paramref name="path"/>: only its last level counts as the module's own.</summary>
        public LockFolder(string path)
            : this(PrivateFolder.At(path))
        {
        }

        public LockFolder(PrivateFolder folder) => this.folder = folder;

        public string Path => folder.Path;

        /// <summary>The folder's path, once it is made and checked now; null, with why, when it cannot be private to this user.</summary>
        public string Prepare(out string why) => folder.Prepare(out why);
    }
}
