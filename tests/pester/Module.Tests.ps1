# The built module against the public contract (tests/contract/interface.md, a copy of
# ../shared/docs/interface.md): every cmdlet, parameter set, parameter, type, mandatory flag,
# position, allowed value and error ID the contract names exists as named (ContractHelpers.psm1
# reads it). The module may have more: the contract predates Get-TSheetsConnection, -Items and -Force.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ContractHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $contract = Read-Contract
}

Describe 'The public contract' {
    It 'is the copy of ../shared/docs/interface.md, where that exists (else: update tests/contract/interface.md from it)' {
        $copy = Get-ContractPath
        [IO.File]::ReadAllBytes($copy).Length | Should -BeGreaterThan 1000
        $shared = Join-Path $PSScriptRoot '../../../shared/docs/interface.md'
        if (Test-Path -LiteralPath $shared) {
            $same = [Linq.Enumerable]::SequenceEqual([IO.File]::ReadAllBytes($shared), [IO.File]::ReadAllBytes($copy))
            $same | Should -BeTrue -Because "the contract changed: copy $([IO.Path]::GetFullPath($shared)) to tests/contract/interface.md"
        }
    }

    It 'reads as every cmdlet, Connect-TSheets'' four sets and 24 error IDs (a parser that read nothing would pass anything)' {
        $contract.Cmdlets.Name | Should -Be @('New-TSheetsAuthorizationUrl', 'Connect-TSheets', 'Set-TSheetsToken', 'Get-TSheetsToken', 'Disconnect-TSheets', 'Invoke-TSheetsRestMethod')
        ($contract.Cmdlets | Where-Object Name -EQ 'Connect-TSheets').Sets.Name | Should -Be @('Interactive', 'RedirectedUrl', 'AuthorizationCode', 'RefreshToken')
        @($contract.Cmdlets.Sets.Parameters).Count | Should -BeGreaterThan 60
        $contract.NetworkCmdlets | Should -Be @('Connect-TSheets', 'Get-TSheetsToken', 'Invoke-TSheetsRestMethod')
        $contract.ErrorIds.Count | Should -Be 24
    }

    It 'is met by the built module: cmdlets, sets, parameters, types, mandatory flags, positions, values, error IDs' {
        $problems = @(Compare-ModuleToContract $contract)
        $problems | Should -BeNullOrEmpty -Because ($problems -join "`n")
    }

    It 'is a check that can fail: a contract the module does not meet is reported, line by line' {
        $doctored = (Get-Content -Raw (Get-ContractPath)).
            Replace('[-TimeoutSec <int>]', '[-TimeoutSec <string>]').
            Replace('`-RefreshToken <SecureString>`:', '`-RefreshToken <SecureString> -Extra <int>`:').
            Replace('`InvalidBody`', '`InvalidBodyShape`').
            Replace('[-State <string>] [-Scope', '-State <string> [-Scope').
            Replace('`Interactive` (default): `-RedirectUri <Uri>` (mandatory) `[-NoBrowser]', '`Interactive` (default): `[-RedirectUri <Uri>] [-NoBrowser]')
        Set-Content -LiteralPath "$TestDrive/interface.md" -Value $doctored
        $problems = @(Compare-ModuleToContract (Read-Contract "$TestDrive/interface.md"))
        $problems | Should -Be @(
            'New-TSheetsAuthorizationUrl -State: not mandatory'
            'Connect-TSheets [Interactive] -RedirectUri: mandatory'
            'Connect-TSheets [Interactive] -TimeoutSec: type int, not <string>'
            'Connect-TSheets [RefreshToken]: no parameter set takes all of -ClientId, -ClientSecret, -RefreshToken, -Extra'
            'Connect-TSheets [RefreshToken] -Extra: no such parameter'
            'Invoke-TSheetsRestMethod -TimeoutSec: type int, not <string>'
            'error ID InvalidBodyShape: not among the module''s (TSheets.Auth.Common.ErrorIds)')
    }
}

# Not in the contract's syntax, and proven by no other test.
Describe 'Binding beyond the contract' {
    It 'binds -Name of Connect-TSheets by property name (a piped token or connection names the connection)' {
        $set = (Get-Command Connect-TSheets).ParameterSets | Where-Object Name -EQ 'RedirectedUrl'
        ($set.Parameters | Where-Object Name -EQ 'Name').ValueFromPipelineByPropertyName | Should -BeTrue
    }

    It 'does not accept -ForceRefresh with -NoRefresh' {
        { Get-TSheetsToken -ForceRefresh -NoRefresh } | Should -Throw -ErrorId 'AmbiguousParameterSet,TSheets.Auth.Commands.GetTSheetsTokenCommand'
    }
}
