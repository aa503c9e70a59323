# Issue 25, finding 2: a bracketed connection name must never reach another connection (for an
# MSP, another client's company). Wildcard characters are refused where a connection is made; an
# exact name wins over wildcard expansion (a legacy 'c[1]' from a vault reaches c[1], never c1);
# and a wildcard removing several vault connections asks first.
BeforeDiscovery {
    $unix = -not $IsWindows
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'VaultHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $emulator = Start-TSheetsEmulator
    # The test extension vault (a shared file): the behaviour is the module's, and it needs no child
    # process per write; it keeps no copy per process either, so this process reads what a new one would.
    Initialize-TestVault | Out-Null
    Set-FlakyVault

    # A connection as an older module stored it, under a name the module no longer accepts.
    function Set-LegacyVaultConnection([string] $Name, [string] $AccessToken) {
        $document = @{ version = 1; access_token = $AccessToken; base_uri = 'https://rest.tsheets.com/api/v1' } | ConvertTo-Json -Compress
        Microsoft.PowerShell.SecretManagement\Set-Secret -Name "TSheets.Auth.$Name" -Vault Flaky -SecureStringSecret ($document | ConvertTo-TestSecureString)
    }

    function Get-SessionNames { @(Get-TSheetsToken -Name * -NoRefresh -ErrorAction SilentlyContinue | ForEach-Object Name) }
}

AfterAll {
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'Wildcard characters in a connection name (issue 25, finding 2)' {
    BeforeEach {
        $base = New-ConnectionName
    }

    It '<Command> -Name ''<Suffix>'' is refused at binding, saying why, and nothing is stored or sent' -ForEach @(
        foreach ($suffix in 'c[1]', 'c*', 'c?', 'c]') {
            @{ Command = 'Connect-TSheets'; Suffix = $suffix }
            @{ Command = 'Set-TSheetsToken'; Suffix = $suffix }
        }
    ) {
        Reset-Emulator $emulator
        $client = New-EmulatorClient $emulator
        $minted = New-EmulatorToken $emulator -ClientId $client.ClientId
        $name = "$base-$Suffix"
        $make = if ($Command -eq 'Connect-TSheets') {
            { Connect-TSheets -Name $name -ClientId $client.ClientId -ClientSecret $client.ClientSecret -RefreshToken ($minted.refresh_token | ConvertTo-TestSecureString) -BaseUri $emulator.BaseUri }
        }
        else { { Set-TSheetsToken -Name $name -AccessToken ($minted.access_token | ConvertTo-TestSecureString) } }
        $err = $make | Should -Throw -ErrorId "ParameterArgumentValidationError,TSheets.Auth.Commands.$($Command -replace '-', '')Command" -PassThru
        $err.Exception.Message | Should -Match 'wildcard characters \(\* \? \[ \]\).*Get-TSheetsToken and Disconnect-TSheets would reach other connections'
        Get-SessionNames | Where-Object { $_ -like "$base*" } | Should -BeNullOrEmpty
        (Get-EmulatorStats $emulator).grants.total | Should -Be 0
    }

    It 'still accepts a plain name with dots, dashes and spaces (the control)' {
        Set-TSheetsToken -Name "$base acme.co-2" -AccessToken ('S.7__plain' | ConvertTo-TestSecureString)
        Get-TSheetsToken -Name "$base acme.co-2" -AsPlainText | Should -BeExactly 'S.7__plain'
    }
}

Describe 'An exact name wins over wildcard expansion (issue 25, finding 2)' {
    BeforeEach {
        $base = New-ConnectionName
        Set-TSheetsToken -Name "$base-c1" -AccessToken ('S.7__c1-company' | ConvertTo-TestSecureString) -Vault Flaky
        Set-LegacyVaultConnection "$base-c[1]" 'S.7__bracketed-company'
    }

    It 'Get-TSheetsToken -Name ''c[1]'' -Vault returns the legacy c[1] only, never c1' {
        $tokens = @(Get-TSheetsToken -Name "$base-c[1]" -Vault Flaky -AsPlainText)
        $tokens | Should -Be @('S.7__bracketed-company')
        @(Get-TSheetsToken -Name "$base-c[1]" -AsPlainText) | Should -Be @('S.7__bracketed-company') -Because 'the session now holds it too'
    }

    It 'Disconnect-TSheets -Name ''c[1]'' -Vault removes c[1] and leaves c1, in the session and the vault' {
        Get-TSheetsToken -Name "$base-c[1]" -Vault Flaky | Out-Null
        Disconnect-TSheets -Name "$base-c[1]" -Vault Flaky
        @(Get-FlakyVaultSecretName "TSheets.Auth.$base-*" | Sort-Object) | Should -Be @("TSheets.Auth.$base-c1")
        Get-SessionNames | Where-Object { $_ -like "$base*" } | Should -Be @("$base-c1")
        Get-TSheetsToken -Name "$base-c1" -AsPlainText | Should -BeExactly 'S.7__c1-company'
    }

    It 'a pattern that names no connection exactly still expands (the control)' {
        @(Get-TSheetsToken -Name "$base-c?" -Vault Flaky -AsPlainText) | Should -Be @('S.7__c1-company')
    }
}

Describe 'Disconnect-TSheets with a wildcard over several vault connections (issue 25, finding 2)' {
    BeforeEach {
        $base = New-ConnectionName
        foreach ($client in 'a', 'b') { Set-TSheetsToken -Name "$base-$client" -AccessToken ("S.7__$client" | ConvertTo-TestSecureString) -Vault Flaky }
    }

    It 'refuses where no one can answer the confirmation (InteractionRequired) and removes nothing' {
        $result = Invoke-FreshPwsh "try { Disconnect-TSheets -Name '$base-*' -Vault Flaky -ErrorAction Stop; 'REMOVED' } catch { 'ERRORID ' + `$_.FullyQualifiedErrorId; 'MESSAGE ' + `$_.Exception.Message }"
        $text = $result.Output -join "`n"
        $text | Should -Match 'ERRORID InteractionRequired,TSheets.Auth.Commands.DisconnectTSheetsCommand'
        $text | Should -Match "MESSAGE .*'$base-\*' matches 2 connections.*-Force or -Confirm:\`$false"
        @(Get-FlakyVaultSecretName "TSheets.Auth.$base-*" | Sort-Object) | Should -Be @("TSheets.Auth.$base-a", "TSheets.Auth.$base-b")
    }

    It 'removes them all with <Switch>, asking nothing' -ForEach @(@{ Switch = '-Force' }, @{ Switch = '-Confirm:$false' }) {
        $result = Invoke-FreshPwsh "Disconnect-TSheets -Name '$base-*' -Vault Flaky $Switch; 'DONE'"
        $result.Output | Should -Contain 'DONE'
        Get-FlakyVaultSecretName "TSheets.Auth.$base-*" | Should -BeNullOrEmpty
    }

    It 'removes a single match without asking' {
        $result = Invoke-FreshPwsh "Disconnect-TSheets -Name '$base-a*' -Vault Flaky; 'DONE'"
        $result.Output | Should -Contain 'DONE'
        @(Get-FlakyVaultSecretName "TSheets.Auth.$base-*" | Sort-Object) | Should -Be @("TSheets.Auth.$base-b")
    }

    It 'asks a person at a terminal, and removes nothing when told no' -Skip:(-not $unix) {
        $terminal = Start-TmuxPwsh @"
`$env:PSModulePath = '$($env:PSModulePath -replace "'", "''")'
Disconnect-TSheets -Name '$base-*' -Vault Flaky
'ANSWERED'
"@
        try {
            Wait-TmuxText $terminal "Remove 2 TSheets connections matching '$base-\*'.*$base-a, $base-b" | Out-Null
            Send-TmuxLine $terminal 'n'
            Wait-TmuxText $terminal 'ANSWERED' | Out-Null
        }
        finally { Stop-TmuxPwsh $terminal }
        @(Get-FlakyVaultSecretName "TSheets.Auth.$base-*" | Sort-Object) | Should -Be @("TSheets.Auth.$base-a", "TSheets.Auth.$base-b")
    }
}
