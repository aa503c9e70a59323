BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
}

Describe 'The module as it ships' {
    It 'exports exactly the cmdlets in the manifest' {
        $exported = (Get-Module TSheets.Auth).ExportedCmdlets.Keys | Sort-Object
        $exported | Should -Be @('Connect-TSheets', 'Disconnect-TSheets', 'Get-TSheetsToken', 'Invoke-TSheetsRestMethod', 'New-TSheetsAuthorizationUrl', 'Set-TSheetsToken')
        (Get-Module TSheets.Auth).Version | Should -BeGreaterThan ([version]'0.0.0')
    }

    It 'passes Test-ModuleManifest' {
        $manifest = Test-ModuleManifest -Path (Join-Path (Get-TestModulePath) 'TSheets.Auth.psd1')
        $manifest.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $manifest.PowerShellVersion | Should -Be ([version]'5.1')
    }

    It 'ships no PowerShell reference assembly' {
        Test-Path (Join-Path (Get-TestModulePath) 'System.Management.Automation.dll') | Should -BeFalse
    }

    It 'declares the output type of every cmdlet' {
        (Get-Command New-TSheetsAuthorizationUrl).OutputType.Name | Should -Be 'TSheets.Auth.AuthorizationRequest'
        (Get-Command Connect-TSheets).OutputType.Name | Should -Be 'TSheets.Auth.TSheetsToken'
        (Get-Command Set-TSheetsToken).OutputType.Name | Should -Be 'TSheets.Auth.TSheetsToken'
        (Get-Command Get-TSheetsToken).OutputType.Name | Should -Be @('TSheets.Auth.TSheetsToken', 'System.String')
    }
}

Describe 'Parameter sets of Connect-TSheets' {
    BeforeAll {
        $command = Get-Command Connect-TSheets
        function Get-Mandatory([string] $SetName) {
            ($command.ParameterSets | Where-Object Name -EQ $SetName).Parameters |
                Where-Object IsMandatory | ForEach-Object Name | Sort-Object
        }
    }

    It 'defaults to the Interactive set' {
        $command.DefaultParameterSet | Should -Be 'Interactive'
    }

    It 'makes <Set> require <Mandatory>' -TestCases @(
        @{ Set = 'Interactive'; Mandatory = @('ClientId', 'ClientSecret', 'RedirectUri') }
        @{ Set = 'RedirectedUrl'; Mandatory = @('ClientId', 'ClientSecret', 'RedirectedUrl', 'RedirectUri', 'State') }
        @{ Set = 'AuthorizationCode'; Mandatory = @('AuthorizationCode', 'ClientId', 'ClientSecret', 'RedirectUri') }
        @{ Set = 'RefreshToken'; Mandatory = @('ClientId', 'ClientSecret', 'RefreshToken') }
    ) {
        Get-Mandatory $Set | Should -Be $Mandatory
    }

    It 'types every secret parameter as SecureString' {
        foreach ($name in 'ClientSecret', 'RefreshToken') {
            $command.Parameters[$name].ParameterType | Should -Be ([securestring])
        }
        (Get-Command Set-TSheetsToken).Parameters['AccessToken'].ParameterType | Should -Be ([securestring])
    }

    It 'binds ClientId, RedirectUri, State and BaseUri by property name in the RedirectedUrl set' {
        $set = $command.ParameterSets | Where-Object Name -EQ 'RedirectedUrl'
        $byName = $set.Parameters | Where-Object ValueFromPipelineByPropertyName | ForEach-Object Name | Sort-Object
        $byName | Should -Be @('BaseUri', 'ClientId', 'RedirectUri', 'State')
    }
}

Describe 'Parameter sets of Get-TSheetsToken and Set-TSheetsToken' {
    It 'does not accept -ForceRefresh with -NoRefresh' {
        { Get-TSheetsToken -ForceRefresh -NoRefresh } | Should -Throw -ErrorId 'AmbiguousParameterSet,TSheets.Auth.Commands.GetTSheetsTokenCommand'
    }

    It 'supports ShouldProcess on Set-TSheetsToken' {
        (Get-Command Set-TSheetsToken).Parameters.ContainsKey('WhatIf') | Should -BeTrue
    }
}
