@{
    # ModuleVersion is written by build.ps1 from Directory.Build.props, the one place the version lives.
    RootModule           = 'TSheets.Auth.dll'
    ModuleVersion        = '0.0.0'
    GUID                 = '5b7e2c1a-8f3d-4e6b-9a2c-7d1e0f4b3a91'
    Author               = 'TSheets.Auth contributors'
    CompanyName          = 'TSheets.Auth contributors'
    Copyright            = '(c) 2026 TSheets.Auth contributors. MIT licence.'
    Description          = 'Signs people and scheduled scripts in to the TSheets (QuickBooks Time) REST API with OAuth2: the authorization-code flow, code exchange and refresh, tokens kept as SecureString and refreshed before they expire, one refresh at a time.'
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
            ReleaseNotes = 'First release: the authorization URL, code exchange, refresh-token sign-in, and session tokens refreshed by policy, one refresh at a time.'
        }
    }
}
