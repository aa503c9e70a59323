#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using TSheets.Auth.Common;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// connections.json as text: a version and one entry per remembered connection (readable JSON,
    /// indented, so a person can see what it holds). Unknown fields are ignored; an entry without a
    /// name or a vault is skipped.
    /// </summary>
    internal static class RememberedDocument
    {
        public const int CurrentVersion = 1;

        /// <summary>The entries the file holds, by name; none for a file that is not one of ours. <paramref name="newer"/>: a newer module wrote it.</summary>
        public static IReadOnlyList<RememberedConnection> Parse(byte[] bytes, out bool newer)
        {
            newer = false;
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

        public static byte[] Serialize(IEnumerable<RememberedConnection> entries)
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
