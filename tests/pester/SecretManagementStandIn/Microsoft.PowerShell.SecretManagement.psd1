# A stand-in for Microsoft.PowerShell.SecretManagement (not installable on the test machines).
# The tests copy it into $TestDrive; it exports the real module's commands with their real
# parameter names, and keeps secrets in a file beside it so several processes share them.
@{
    RootModule        = 'Microsoft.PowerShell.SecretManagement.psm1'
    ModuleVersion     = '1.1.2'
    GUID              = 'a5c858f6-4a8e-41f1-b1ee-0ff8f6ad69d3'
    Author            = 'TSheets.Auth tests'
    Description       = 'Test stand-in for Microsoft.PowerShell.SecretManagement.'
    PowerShellVersion = '5.1'
    FunctionsToExport = @(
        'Get-Secret', 'Set-Secret', 'Remove-Secret', 'Get-SecretInfo', 'Get-SecretVault',
        'Register-SecretVault', 'Unregister-SecretVault', 'Test-SecretVault'
    )
    CmdletsToExport   = @()
    AliasesToExport   = @()
    VariablesToExport = @()
}
