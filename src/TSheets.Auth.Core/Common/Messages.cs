using System;
using System.Globalization;

namespace TSheets.Auth.Common
{
    /// <summary>The sentences several subsystems share, so the advice a user gets reads the same everywhere.</summary>
    internal static class Messages
    {
        public const string SignInAgain = "Sign in again with Connect-TSheets.";

        public const string WebUiTokenExpired =
            "It has no refresh token (a token made in the QuickBooks Time web UI): extend it there under Feature Add-ons > API, or sign in with Connect-TSheets.";

        public const string NoClientCredentials =
            "It cannot be refreshed without the app's client ID and secret: sign in again with Connect-TSheets, or give them to Set-TSheetsToken with -RefreshToken.";

        public static string Time(DateTimeOffset? time) =>
            time.HasValue ? time.Value.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture) : "an unknown time";

        public static string SaveCommand(string name, string vault) =>
            $"Get-TSheetsToken -Name '{Quote(name)}' | Set-TSheetsToken -Vault '{Quote(vault)}'";

        /// <summary>
        /// The command that signs a connection in again, with what is known filled in: its name, the
        /// vault it is kept in, the app's client ID and a base URI other than TSheets' own.
        /// </summary>
        public static string SignInCommand(string name, string? vault, string? clientId, Uri? baseUri, Uri defaultBaseUri)
        {
            var inVault = vault == null ? string.Empty : $" -Vault '{Quote(vault)}'";
            var client = clientId == null ? "<your app's client ID>" : $"'{Quote(clientId)}'";
            var at = baseUri == null || baseUri == defaultBaseUri ? string.Empty : $" -BaseUri '{Quote(baseUri.AbsoluteUri)}'";
            return $"Connect-TSheets -Name '{Quote(name)}'{inVault} -ClientId {client} -ClientSecret $secret -RedirectUri <your app's redirect URI>{at}";
        }

        /// <summary>A value inside single quotes, as PowerShell reads it.</summary>
        public static string Quote(string? value) => (value ?? string.Empty).Replace("'", "''");
    }
}
