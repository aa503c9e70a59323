@{
    # ModuleVersion is written by build.ps1 from Directory.Build.props, the one place the version lives.
    RootModule           = 'TSheets.Auth.dll'
    ModuleVersion        = '0.0.0'
    GUID                 = '5b7e2c1a-8f3d-4e6b-9a2c-7d1e0f4b3a91'
    Author               = 'TSheets.Auth contributors'
    CompanyName          = 'TSheets.Auth contributors'
    Copyright            = '(c) 2026 TSheets.Auth contributors. MIT licence.'
    Description          = 'Signs people and scheduled scripts in to the TSheets (QuickBooks Time) REST API with OAuth2: browser sign-in with a loopback listener or paste-back (SSH friendly), code exchange, refresh-token and web-UI tokens; tokens kept as SecureString in the session or a SecretManagement vault, refreshed before they expire, one refresh at a time across runspaces and processes; and Invoke-TSheetsRestMethod to call the API with retries and paging. Never prompts or hangs in automation, never prints a secret.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('TSheets.Auth.Format.ps1xml')
    CmdletsToExport      = @(
        'New-TSheetsAuthorizationUrl'
        'Connect-TSheets'
        'Set-TSheetsToken'
        'Get-TSheetsToken'
        'Get-TSheetsConnection'
        'Disconnect-TSheets'
        'Invoke-TSheetsRestMethod'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('TSheets', 'QuickBooksTime', 'OAuth2', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/tsheets-auth/TSheets.Auth'
            LicenseUri   = 'https://github.com/tsheets-auth/TSheets.Auth/blob/main/LICENSE'
            ReleaseNotes = @'
0.2.0
- Vaults as they really are: cross-process refresh that holds with SecretStore's per-process cache (a per-user lock record, fresh reads), long-running processes adopt rotated pairs, failed vault writes retried and reported with the command to save the pair, one private runspace per process.
- Automation never hangs or lies: one decision before any listener, browser or prompt (-NonInteractive, redirected or closed standard input, hosts without UI, services); no browser where none can open.
- Standards: PKCE (S256) by default (-NoPkce), -Scope, -ClientAuthentication Post|Basic, no access token to /grant, refresh failures classified; proven against OpenIddict.
- The API as it is: client-side pacing per token (TSHEETS_AUTH_RATE_LIMIT), -All through short pages with limit=200 and progress, PHP's [] handled, batch item errors, permission 401s, managed clients, $env:TSHEETS_ACCESS_TOKEN for CI.
- Security: header and path injection refused, exact-secret redaction before shortening, control characters from servers stripped; new error IDs InvalidToken, InvalidPath, InvalidBody.
- Windows PowerShell 5.1: an assembly resolver for the shipped System.Text.Json dependencies; TLS 1.2+ on the module's own handler.

0.1.0
First release.
'@
        }
    }
}
