BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
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

    It 'binds ClientId, RedirectUri, State, CodeVerifier and BaseUri by property name in the RedirectedUrl set (and Name, from a piped token or connection)' {
        $set = $command.ParameterSets | Where-Object Name -EQ 'RedirectedUrl'
        $byName = $set.Parameters | Where-Object ValueFromPipelineByPropertyName | ForEach-Object Name | Sort-Object
        $byName | Should -Be @('BaseUri', 'ClientId', 'CodeVerifier', 'Name', 'RedirectUri', 'State')
    }

    It 'offers -ClientAuthentication Post or Basic, Post by default, in every set' {
        $parameter = $command.Parameters['ClientAuthentication']
        $parameter.Attributes.Where({ $_ -is [System.Management.Automation.ValidateSetAttribute] }).ValidValues | Should -Be @('Post', 'Basic')
        $parameter.ParameterSets.Keys | Should -Be @('__AllParameterSets')
    }

    It 'takes -Scope and -NoPkce in the Interactive set only' {
        $command.Parameters['Scope'].ParameterSets.Keys | Should -Be @('Interactive')
        $command.Parameters['NoPkce'].ParameterSets.Keys | Should -Be @('Interactive')
    }
}

Describe 'Parameter sets of Get-TSheetsToken and Set-TSheetsToken' {
    It 'does not accept -ForceRefresh with -NoRefresh' {
        { Get-TSheetsToken -ForceRefresh -NoRefresh } | Should -Throw -ErrorId 'AmbiguousParameterSet,TSheets.Auth.Commands.GetTSheetsTokenCommand'
    }
}
