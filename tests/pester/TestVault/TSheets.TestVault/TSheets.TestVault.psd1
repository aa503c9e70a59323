# A tiny SecretManagement extension vault for the tests: its secrets live in one JSON file that any
# number of processes (and simulated machines, with their own HOMEs) share, like a networked vault;
# a control file beside it makes Set-Secret or Get-Secret fail on demand. Test data only.
@{
    ModuleVersion     = '1.0'
    GUID              = '0f6a4b2e-8f61-4c54-9b7e-5d8a1c3e7f20'
    Author            = 'TSheets.Auth contributors'
    Description       = 'Test extension vault for TSheets.Auth: shared-file secrets, failures on demand.'
    PowerShellVersion = '5.1'
    NestedModules     = @('./TSheets.TestVault.Extension')
    FunctionsToExport = @()
    CmdletsToExport   = @()
}
