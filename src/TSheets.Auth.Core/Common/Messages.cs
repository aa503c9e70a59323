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

        /// <summary>A value inside single quotes, as PowerShell reads it.</summary>
        public static string Quote(string? value) => (value ?? string.Empty).Replace("'", "''");
    }
}
