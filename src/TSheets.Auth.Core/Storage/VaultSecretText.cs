#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System.Security;
using TSheets.Auth.Common;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// A vault secret's text on its way to a SecureString, and the secrets that cannot be a
    /// connection at all: a connection's document is under 3,000 characters, and a SecureString
    /// holds at most 65,536, so anything longer is reported (VaultError) instead of ending in the
    /// runtime's ArgumentOutOfRangeException, and a new sign-in may replace it.
    /// </summary>
    internal static class VaultSecretText
    {
        /// <summary>The most a SecureString holds.</summary>
        public const int MaxLength = 65536;

        public static SecureString ToSecret(string text, string vault, string secretName)
        {
            if (text != null && text.Length > MaxLength)
            {
                throw NotAConnection(vault, secretName, $"is too large to be a TSheets.Auth connection ({text.Length} characters)");
            }

            return SecureStrings.FromPlainText(text);
        }

        /// <summary>The VaultError for a secret under a connection's name that is no connection; <paramref name="what"/> says why.</summary>
        public static TSheetsAuthException NotAConnection(string vault, string secretName, string what)
        {
            var name = secretName.StartsWith(VaultDocument.SecretPrefix, System.StringComparison.Ordinal) ? secretName.Substring(VaultDocument.SecretPrefix.Length) : secretName;
            return new TSheetsAuthException(
                ErrorIds.VaultError,
                $"The secret '{secretName}' in vault '{vault}' {what}. Connect-TSheets or Set-TSheetsToken with -Name '{Messages.Quote(name)}' -Vault '{Messages.Quote(vault)}' replaces it; Disconnect-TSheets -Name '{Messages.Quote(name)}' -Vault '{Messages.Quote(vault)}' removes it.",
                name)
            {
                NotAConnection = true,
            };
        }
    }
}
