@{
    ModuleVersion     = '1.0'
    GUID              = '3c1d7e9a-2b54-4f08-a6e1-94d0b7c25f13'
    RootModule        = 'TSheets.TestVault.Extension.psm1'
    PowerShellVersion = '5.1'
    FunctionsToExport = @('Get-Secret', 'Set-Secret', 'Remove-Secret', 'Get-SecretInfo', 'Test-SecretVault')
}
