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
First release.
- Connect-TSheets: browser sign-in with a loopback listener (or paste-back for an https redirect URI, -NoBrowser for SSH), the two steps apart (-RedirectedUrl, -AuthorizationCode), or a refresh token; fails at once with InteractionRequired in automation.
- Get-TSheetsToken / Set-TSheetsToken / Disconnect-TSheets: session and SecretManagement vault storage, refresh by policy with rotation, single flight across runspaces and processes.
- Invoke-TSheetsRestMethod: the API with the connection's token, paging (-All), 401 refresh and retry, 429/503 back-off.
'@
        }
    }
}
