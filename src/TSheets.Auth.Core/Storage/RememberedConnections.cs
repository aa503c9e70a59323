#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
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

        private const int CurrentVersion = 1;
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
                if (changed != null && !PrivateDocument.Replace(directory, FileName, Serialize(changed), out why))
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
            if (folder == null)
            {
                return Array.Empty<RememberedConnection>();
            }

            var bytes = PrivateDocument.Read(Path, MaxBytes, out _);
            if (bytes == null)
            {
                return Array.Empty<RememberedConnection>();
            }

            try
            {
                using (var document = JsonDocument.Parse(Encoding.UTF8.GetString(bytes)))
                {
                    var root = document.RootElement;
                    if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("version", out var version) || !version.TryGetInt32(out var number) || number < 1)
                    {
                        return Array.Empty<RememberedConnection>();
                    }

                    newer = number > CurrentVersion;
                    if (!root.TryGetProperty("connections", out var list) || list.ValueKind != JsonValueKind.Array)
                    {
                        return Array.Empty<RememberedConnection>();
                    }

                    return list.EnumerateArray().Select(Entry).Where(e => e != null).OrderBy(e => e.Name, StringComparer.OrdinalIgnoreCase).ToList();
                }
            }
            catch (Exception ex) when (ex is JsonException || ex is InvalidOperationException || ex is FormatException)
            {
                // Not ours, or torn by hand: nothing is remembered, and the next save replaces it.
                return Array.Empty<RememberedConnection>();
            }
        }

        private static RememberedConnection Entry(JsonElement item)
        {
            var name = StringOf(item, "name");
            var vault = StringOf(item, "vault");
            if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(vault))
            {
                return null;
            }

            return new RememberedConnection
            {
                Name = name,
                Vault = vault,
                BaseUri = Uri.TryCreate(StringOf(item, "base_uri"), UriKind.Absolute, out var baseUri) ? baseUri : null,
                ClientId = Text.OneLine(StringOf(item, "client_id")),
                UserId = Text.OneLine(StringOf(item, "user_id")),
                CompanyId = Text.OneLine(StringOf(item, "company_id")),
                ClientUrl = Text.OneLine(StringOf(item, "client_url")),
                IssuedOn = Time(item, "issued_on"),
                ExpiresOn = Time(item, "expires_on"),
                HasRefreshToken = Flag(item, "has_refresh_token"),
                CanRefresh = Flag(item, "can_refresh"),
                SavedOn = Time(item, "saved_on") ?? DateTimeOffset.MinValue,
            };
        }

        private static byte[] Serialize(IEnumerable<RememberedConnection> entries)
        {
            using (var buffer = new MemoryStream())
            {
                using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
                {
                    json.WriteStartObject();
                    json.WriteNumber("version", CurrentVersion);
                    json.WriteStartArray("connections");
                    foreach (var entry in entries.OrderBy(e => e.Name, StringComparer.OrdinalIgnoreCase))
                    {
                        json.WriteStartObject();
                        json.WriteString("name", entry.Name);
                        json.WriteString("vault", entry.Vault);
                        Optional(json, "base_uri", entry.BaseUri?.AbsoluteUri);
                        Optional(json, "client_id", entry.ClientId);
                        Optional(json, "user_id", entry.UserId);
                        Optional(json, "company_id", entry.CompanyId);
                        Optional(json, "client_url", entry.ClientUrl);
                        Optional(json, "issued_on", entry.IssuedOn?.ToString("o", CultureInfo.InvariantCulture));
                        Optional(json, "expires_on", entry.ExpiresOn?.ToString("o", CultureInfo.InvariantCulture));
                        json.WriteBoolean("has_refresh_token", entry.HasRefreshToken);
                        json.WriteBoolean("can_refresh", entry.CanRefresh);
                        json.WriteString("saved_on", entry.SavedOn.ToString("o", CultureInfo.InvariantCulture));
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                return buffer.ToArray();
            }
        }

        private static void Optional(Utf8JsonWriter json, string name, string value)
        {
            if (value != null)
            {
                json.WriteString(name, value);
            }
        }

        private static string StringOf(JsonElement item, string name) =>
            item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static bool Flag(JsonElement item, string name) =>
            item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

        private static DateTimeOffset? Time(JsonElement item, string name) =>
            DateTimeOffset.TryParse(StringOf(item, name), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time : (DateTimeOffset?)null;
    }
}
