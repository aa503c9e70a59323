namespace TSheets.Auth
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
            : this(new PrivateFolder(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)), System.IO.Path.GetFileName(System.IO.Path.GetFullPath(path))))
        {
        }

        public LockFolder(PrivateFolder folder) => this.folder = folder;

        public static LockFolder Default { get; } = new LockFolder(PrivateFolder.UserData.Child("locks"));

        public string Path => folder.Path;

        /// <summary>The folder, created and checked now; null when it cannot be private to this user.</summary>
        public string Ready => folder.Prepare(out _);

        /// <summary>As <see cref="Ready"/>, with why not.</summary>
        public string Prepare(out string why) => folder.Prepare(out why);
    }
}
