#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Reporting;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// Which vault each connection was saved in, so a new window finds 'acme' without -Vault (as
    /// Connect-AzAccount's context autosave and gh's keyring entry are found again): one small
    /// per-user file, <c>connections.json</c> in the module's data folder beside the locks, never
    /// holding a secret (<see cref="RememberedConnection"/>). Read without a lock (it is replaced in
    /// one step, <see cref="PrivateDocument"/>); changed under a per-user lock (<c>connections.lock</c>
    /// beside it), so several processes saving at once each keep the others' entries. Remembering is a convenience: a file that
    /// cannot be written costs a verbose line, never the operation.
    /// </summary>
    internal sealed class RememberedConnections
    {
        public const string FileName = "connections.json";

        public const string LockFileName = "connections.lock";

        /// <summary>Remembers nothing: for tests of other parts, which build a repository of their own.</summary>
        public static readonly RememberedConnections None = new RememberedConnections();

        private const int MaxBytes = 1024 * 1024;

        private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);
        private static readonly TimeSpan LockPoll = TimeSpan.FromMilliseconds(25);

        private readonly PrivateFolder folder;
        private readonly IClock clock;

        /// <param name="folder">The module's data folder (the file goes at its top, beside the lock folder).</param>
        /// <param name="clock">Reads the time and waits for the lock.</param>
        public RememberedConnections(PrivateFolder folder, IClock clock)
        {
            this.folder = folder ?? throw new ArgumentNullException(nameof(folder));
            this.clock = clock ?? throw new ArgumentNullException(nameof(clock));
        }

        private RememberedConnections()
        {
            clock = SystemClock.Instance;
        }

        /// <summary>The file's path; null for <see cref="None"/>.</summary>
        public string Path => folder == null ? null : System.IO.Path.Combine(folder.Path, FileName);

        /// <summary>The connection remembered under <paramref name="name"/> (case-insensitive); null when none.</summary>
        public RememberedConnection Find(string name) =>
            All().FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>Every remembered connection, by name; none when the file is missing or cannot be read.</summary>
        public IReadOnlyList<RememberedConnection> All() => Load(out _);

        /// <summary>Notes where <paramref name="connection"/> was just saved (its vault), with its non-secret facts.</summary>
        public Task RememberAsync(Connection connection, IReporter report) =>
            connection.Vault == null || folder == null
                ? Task.CompletedTask
                : ChangeAsync(entries => Without(entries, connection.Name).Concat(new[] { RememberedConnection.Of(connection, clock.UtcNow) }).ToList(), report);

        /// <summary>Forgets <paramref name="name"/> (only if it was remembered in <paramref name="vault"/>, when one is given); true when it was remembered.</summary>
        public async Task<bool> ForgetAsync(string name, string vault, IReporter report)
        {
            var forgotten = false;
            await ChangeAsync(
                entries =>
                {
                    var kept = entries.Where(c => !Matches(c, name, vault)).ToList();
                    forgotten = kept.Count < entries.Count;
                    return forgotten ? kept : null;
                },
                report).ConfigureAwait(false);
            return forgotten;
        }

        private static bool Matches(RememberedConnection entry, string name, string vault) =>
            string.Equals(entry.Name, name, StringComparison.OrdinalIgnoreCase)
            && (vault == null || string.Equals(entry.Vault, vault, StringComparison.OrdinalIgnoreCase));

        private static IEnumerable<RememberedConnection> Without(IEnumerable<RememberedConnection> entries, string name) =>
            entries.Where(c => !string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>Reads, changes (null: no change) and replaces the file, under the lock.</summary>
        private async Task ChangeAsync(Func<IReadOnlyList<RememberedConnection>, IReadOnlyList<RememberedConnection>> change, IReporter report)
        {
            if (folder == null)
            {
                return;
            }

            var directory = folder.Prepare(out var why);
            if (directory == null)
            {
                report.Verbose($"Could not note where the connection is saved: {why}. Give -Vault in new sessions.");
                return;
            }

            using (var held = await LockAsync(System.IO.Path.Combine(directory, LockFileName)).ConfigureAwait(false))
            {
                if (held == null)
                {
                    report.Verbose($"Could not note where the connection is saved: '{LockFileName}' in '{directory}' could not be had. Give -Vault in new sessions.");
                    return;
                }

                var current = Load(out var newer);
                if (newer)
                {
                    report.Verbose($"'{Path}' was written by a newer TSheets.Auth; it was left as it is.");
                    return;
                }

                var changed = change(current);
                if (changed != null && !PrivateDocument.Replace(directory, FileName, RememberedDocument.Serialize(changed), out why))
                {
                    report.Verbose($"Could not note where the connection is saved: {why}. Give -Vault in new sessions.");
                }
            }
        }

        /// <summary>The lock file, held; null when another process kept it past the timeout, or it cannot be used safely.</summary>
        private async Task<FileStream> LockAsync(string path)
        {
            var deadline = clock.UtcNow + LockTimeout;
            while (true)
            {
                var file = PrivateFile.OpenLocked(path, out var held, out _);
                if (file != null || !held || clock.UtcNow >= deadline)
                {
                    return file;
                }

                await clock.DelayAsync(LockPoll, CancellationToken.None).ConfigureAwait(false);
            }
        }

        private IReadOnlyList<RememberedConnection> Load(out bool newer)
        {
            newer = false;
            var bytes = folder == null ? null : PrivateDocument.Read(Path, MaxBytes, out _);
            return bytes == null ? Array.Empty<RememberedConnection>() : RememberedDocument.Parse(bytes, out newer);
        }
    }
}
