namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Each cmdlet's Markdown help in the repository, for Get-Help -Online (the cmdlet's HelpUri):
    /// the manifest's ProjectUri, then blob/main/docs/help/&lt;cmdlet&gt;.md. A test checks them against the manifest.
    /// </summary>
    internal static class HelpLinks
    {
        public const string Root = "https://github.com/tsheets-auth/TSheets.Auth/blob/main/docs/help/";

        public const string NewTSheetsAuthorizationUrl = Root + "New-TSheetsAuthorizationUrl.md";
        public const string ConnectTSheets = Root + "Connect-TSheets.md";
        public const string SetTSheetsToken = Root + "Set-TSheetsToken.md";
        public const string GetTSheetsToken = Root + "Get-TSheetsToken.md";
        public const string GetTSheetsConnection = Root + "Get-TSheetsConnection.md";
        public const string DisconnectTSheets = Root + "Disconnect-TSheets.md";
        public const string InvokeTSheetsRestMethod = Root + "Invoke-TSheetsRestMethod.md";
    }
}
