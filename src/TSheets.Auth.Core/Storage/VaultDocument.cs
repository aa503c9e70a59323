#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Globalization;
using System.IO;
using System.Security;
using System.Text;
using System.Text.Json;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.OAuth;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// A connection as one vault secret: a SecureString holding a small versioned JSON document
    /// (string secrets work in every SecretManagement extension vault; this stays well under the
    /// 2.5 KB some of them allow). Version 2 added <c>client_authentication</c>; a document that
    /// needs nothing version 1 lacks is still written as version 1, so older modules sharing the
    /// vault keep reading it.
    /// </summary>
    internal static class VaultDocument
    {
        public const int CurrentVersion = 2;
        public const string SecretPrefix = "TSheets.Auth.";

        public static string SecretName(string connectionName) => SecretPrefix + connectionName;

        public static SecureString Serialize(Connection connection)
        {
            using (var buffer = new MemoryStream())
            {
                using (var json = new Utf8JsonWriter(buffer))
                {
                    json.WriteStartObject();
                    json.WriteNumber("version", connection.ClientAuthentication == ClientAuthentication.Post ? 1 : CurrentVersion);
                    json.WriteString("access_token", SecureStrings.ToPlainText(connection.AccessToken));
                    WriteOptional(json, "refresh_token", SecureStrings.ToPlainText(connection.RefreshToken));
                    WriteOptional(json, "issued_on", connection.IssuedOn?.ToString("o", CultureInfo.InvariantCulture));
                    WriteOptional(json, "expires_on", connection.ExpiresOn?.ToString("o", CultureInfo.InvariantCulture));
                    WriteOptional(json, "client_id", connection.ClientId);
                    WriteOptional(json, "client_secret", SecureStrings.ToPlainText(connection.ClientSecret));
                    if (connection.ClientAuthentication != ClientAuthentication.Post)
                    {
                        json.WriteString("client_authentication", connection.ClientAuthentication.ToString());
                    }

                    WriteOptional(json, "user_id", connection.UserId);
                    WriteOptional(json, "company_id", connection.CompanyId);
                    WriteOptional(json, "client_url", connection.ClientUrl);
                    json.WriteString("base_uri", connection.BaseUri.AbsoluteUri);
                    json.WriteEndObject();
                }

                return SecureStrings.FromPlainText(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            }
        }

        /// <summary>The stored connection, or <see cref="ErrorIds.VaultError"/> for a corrupt document or one from a newer module.</summary>
        public static Connection Parse(SecureString secret, string connectionName, string vault)
        {
            try
            {
                using (var document = JsonDocument.Parse(SecureStrings.ToPlainText(secret) ?? string.Empty))
                {
                    var root = document.RootElement;
                    var version = Version(root) ?? throw Corrupt(connectionName, vault, null);
                    if (version < 1)
                    {
                        // No module ever wrote one: not a document from an older or a newer module.
                        throw Corrupt(connectionName, vault, null);
                    }

                    if (version > CurrentVersion)
                    {
                        throw new TSheetsAuthException(
                            ErrorIds.VaultError,
                            $"The secret '{SecretName(connectionName)}' in vault '{vault}' was written by a newer version of TSheets.Auth (document version {version}); it was left as it is. Update the module.",
                            connectionName);
                    }

                    var access = Required(root, "access_token");
                    var refresh = Optional(root, "refresh_token");
                    if (!TokenRules.IsPlainToken(access) || (refresh != null && !TokenRules.IsPlainToken(refresh)))
                    {
                        throw new FormatException("A token in the document is not a plain token.");
                    }

                    var method = Optional(root, "client_authentication");
                    return new Connection
                    {
                        Name = connectionName,
                        AccessToken = SecureStrings.FromPlainText(access),
                        RefreshToken = SecureStrings.FromPlainText(refresh),
                        IssuedOn = Time(root, "issued_on"),
                        ExpiresOn = Time(root, "expires_on"),
                        ClientId = Optional(root, "client_id"),
                        ClientSecret = SecureStrings.FromPlainText(Optional(root, "client_secret")),
                        ClientAuthentication = Method(method),
                        BaseUri = UriRules.NormalizeBaseUri(new Uri(Required(root, "base_uri"), UriKind.Absolute)),
                        UserId = Text.OneLine(Optional(root, "user_id")),
                        CompanyId = Text.OneLine(Optional(root, "company_id")),
                        ClientUrl = Text.OneLine(Optional(root, "client_url")),
                        Vault = vault,
                    };
                }
            }
            catch (Exception ex) when (ex is JsonException || ex is FormatException || ex is ArgumentException || ex is InvalidOperationException || ex is UriFormatException || ex is OverflowException || (ex is TSheetsAuthException t && t.ErrorId == ErrorIds.InvalidBaseUri))
            {
                throw Corrupt(connectionName, vault, ex);
            }
        }

        /// <summary>True for a document a newer TSheets.Auth wrote: it must not be overwritten.</summary>
        public static bool IsFromNewerModule(SecureString secret)
        {
            try
            {
                using (var document = JsonDocument.Parse(SecureStrings.ToPlainText(secret) ?? string.Empty))
                {
                    return Version(document.RootElement) > CurrentVersion;
                }
            }
            catch (Exception ex) when (ex is JsonException || ex is ArgumentException)
            {
                return false;
            }
        }

        private static int? Version(JsonElement root) =>
            root.ValueKind == JsonValueKind.Object && root.TryGetProperty("version", out var version)
            && version.ValueKind == JsonValueKind.Number && version.TryGetInt32(out var number)
                ? number
                : (int?)null;

        private static TSheetsAuthException Corrupt(string connectionName, string vault, Exception inner) =>
            new TSheetsAuthException(
                ErrorIds.VaultError,
                $"The secret '{SecretName(connectionName)}' in vault '{vault}' is not a TSheets.Auth connection (it is corrupt or was written by something else). Remove it with Disconnect-TSheets -Name '{Messages.Quote(connectionName)}' -Vault '{Messages.Quote(vault)}', then sign in again.",
                connectionName,
                inner);

        private static void WriteOptional(Utf8JsonWriter json, string name, string value)
        {
            if (value != null)
            {
                json.WriteString(name, value);
            }
        }

        private static string Required(JsonElement root, string name) =>
            Optional(root, name) ?? throw new FormatException($"'{name}' is missing.");

        private static string Optional(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static ClientAuthentication Method(string text)
        {
            if (text == null)
            {
                return ClientAuthentication.Post;
            }

            foreach (ClientAuthentication method in Enum.GetValues(typeof(ClientAuthentication)))
            {
                if (string.Equals(method.ToString(), text, StringComparison.OrdinalIgnoreCase))
                {
                    return method;
                }
            }

            throw new FormatException($"'{text}' is not a client authentication method.");
        }

        private static DateTimeOffset? Time(JsonElement root, string name)
        {
            var text = Optional(root, name);
            return text == null ? (DateTimeOffset?)null : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        }
    }
}
