#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Globalization;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// The non-secret record beside a vault entry's lock: which pair was stored last on this
    /// machine (a generation number, when, and the pair's short fingerprint). A process whose own
    /// pair has another fingerprint knows it is stale without trusting its own vault read, which
    /// SecretStore serves from a per-process cache that may never see another process's write.
    /// </summary>
    internal sealed class RefreshRecord
    {
        public RefreshRecord(long generation, DateTimeOffset storedAt, string fingerprint)
        {
            Generation = generation;
            StoredAt = storedAt;
            Fingerprint = fingerprint;
        }

        public long Generation { get; }

        public DateTimeOffset StoredAt { get; }

        public string Fingerprint { get; }

        /// <summary>The next record, for <paramref name="connection"/> stored now.</summary>
        public static RefreshRecord Next(RefreshRecord previous, Connection connection, DateTimeOffset now) =>
            new RefreshRecord((previous?.Generation ?? 0) + 1, now, connection.PairFingerprint);

        /// <summary>"1 2026-12-01T10:00:00.0000000+00:00 0123456789abcdef"; null for anything else (a torn write, an old file).</summary>
        public static RefreshRecord Parse(string text)
        {
            var parts = (text ?? string.Empty).Trim().Split(' ');
            if (parts.Length == 3
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var generation)
                && DateTimeOffset.TryParse(parts[1], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
                && parts[2].Length == 16)
            {
                return new RefreshRecord(generation, at, parts[2]);
            }

            return null;
        }

        public override string ToString() =>
            string.Join(" ", Generation.ToString(CultureInfo.InvariantCulture), StoredAt.ToString("o", CultureInfo.InvariantCulture), Fingerprint);
    }
}
