# Issue 25, finding 5: odd stored data and settings end in a documented error or a warning, never a
# bare .NET exception or silence: a vault secret too large to be a connection, a document version
# below 1, junk in TSHEETS_AUTH_GRANT_TIMEOUT_SEC, and a vault name that is a wildcard.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'VaultHelpers.psm1') -Force
    $realVault = [bool](Get-RealVaultModulesPath)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'VaultHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $emulator = Start-TSheetsEmulator
    Initialize-TestVault | Out-Null
    Set-FlakyVault

    # Stores text as the connection's secret, as something else would have: Set-FixtureSecret, through
    # SecretManagement and not the module, so this session holds no copy that would answer first.

    # A refreshable pair from the emulator, as the lines that make it a session connection in a child.
    function Get-SetTokenLine([string] $Name) {
        $client = New-EmulatorClient $emulator
        $minted = New-EmulatorToken $emulator -ClientId $client.ClientId
        "Set-TSheetsToken -Name '$Name' -AccessToken (ConvertTo-SecureString '$($minted.access_token)' -AsPlainText -Force) -RefreshToken (ConvertTo-SecureString '$($minted.refresh_token)' -AsPlainText -Force) -ClientId '$($client.ClientId)' -ClientSecret (ConvertTo-SecureString '$($client.PlainSecret)' -AsPlainText -Force) -BaseUri '$($emulator.BaseUri)' -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(5))"
    }
}

AfterAll {
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'Odd stored data and settings (issue 25, finding 5)' {
    BeforeEach {
        Reset-Emulator $emulator
        $name = New-ConnectionName
    }

    It 'reports a vault secret over 65,536 characters as VaultError (too large to be a connection), and Connect-TSheets -Vault replaces it' -Skip:(-not $realVault) {
        $client = New-EmulatorClient $emulator
        $minted = New-EmulatorToken $emulator -ClientId $client.ClientId
        # Stored through SecretManagement (as another tool would) by the child itself before its module
        # reads it, not from here: this process's copy of the store would keep it and could write it back.
        $result = Invoke-FreshPwsh @"
Microsoft.PowerShell.SecretManagement\Set-Secret -Name 'TSheets.Auth.$name' -Vault Ops -Secret ('x' * 70000)
try { Get-TSheetsToken -Name '$name' -Vault Ops -ErrorAction Stop } catch { 'ERRORID ' + `$_.FullyQualifiedErrorId; 'MESSAGE ' + `$_.Exception.Message }
Connect-TSheets -Name '$name' -Vault Ops -ClientId '$($client.ClientId)' -ClientSecret (ConvertTo-SecureString '$($client.PlainSecret)' -AsPlainText -Force) -RefreshToken (ConvertTo-SecureString '$($minted.refresh_token)' -AsPlainText -Force) -BaseUri '$($emulator.BaseUri)' -WarningVariable replaced -WarningAction SilentlyContinue
'WARNING ' + (`$replaced -join ' | ')
"@
        $text = $result.Output -join "`n"
        $text | Should -Match 'ERRORID VaultError,TSheets.Auth.Commands.GetTSheetsTokenCommand'
        $text | Should -Match "MESSAGE The secret 'TSheets\.Auth\.$name' in vault 'Ops' is too large to be a TSheets\.Auth connection \(70000 characters\)"
        $text | Should -Match "WARNING Replaced the secret 'TSheets\.Auth\.$name' in vault 'Ops', which was not a readable TSheets\.Auth connection"
        $stored = (Read-VaultDocument $name).Document
        $stored.refresh_token | Should -Not -BeNullOrEmpty
        $stored.client_id | Should -Be $client.ClientId
    }

    It 'refuses a document of version <Version> as corrupt (VaultError), like one from a newer module' -ForEach @(@{ Version = -5 }, @{ Version = 0 }) {
        Set-FixtureSecret $name "{`"version`":$Version,`"access_token`":`"S.7__odd`",`"base_uri`":`"https://rest.tsheets.com/api/v1`"}" -Vault Flaky -AsString
        $err = { Get-TSheetsToken -Name $name -Vault Flaky -ErrorAction Stop } | Should -Throw -ErrorId 'VaultError,TSheets.Auth.Commands.GetTSheetsTokenCommand' -PassThru
        $err.Exception.Message | Should -Match "The secret 'TSheets\.Auth\.$name' in vault 'Flaky' is not a TSheets\.Auth connection \(it is corrupt"
        Get-TSheetsToken -Name $name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'warns once about junk in TSHEETS_AUTH_GRANT_TIMEOUT_SEC (<Value>) and refreshes with the default' -ForEach @(
        @{ Value = 'junk' }, @{ Value = '0' }, @{ Value = '301' }, @{ Value = '2.5' }
    ) {
        $result = Invoke-FreshPwsh -Environment @{ TSHEETS_AUTH_GRANT_TIMEOUT_SEC = $Value } @"
$(Get-SetTokenLine $name)
foreach (`$round in 1, 2) {
    Get-TSheetsToken -Name '$name' -ForceRefresh -WarningVariable said -WarningAction SilentlyContinue | Out-Null
    "ROUND `$round WARNINGS `$(@(`$said).Count) `$(`$said -join ' | ')"
}
"@
        $text = $result.Output -join "`n"
        $text | Should -Match "ROUND 1 WARNINGS 1 TSHEETS_AUTH_GRANT_TIMEOUT_SEC must be a whole number of seconds from 1 to 300; '$([regex]::Escape($Value))' is not, so the default \(30 seconds\) is used\."
        $text | Should -Match 'ROUND 2 WARNINGS 0 '
        (Get-EmulatorStats $emulator).grants.refresh_token | Should -Be 2
    }

    It 'says nothing about a TSHEETS_AUTH_GRANT_TIMEOUT_SEC of 45 (the control)' {
        $result = Invoke-FreshPwsh -Environment @{ TSHEETS_AUTH_GRANT_TIMEOUT_SEC = '45' } "$(Get-SetTokenLine $name)`nGet-TSheetsToken -Name '$name' -ForceRefresh -WarningVariable said | Out-Null; 'WARNINGS ' + @(`$said).Count"
        $result.Output | Should -Contain 'WARNINGS 0'
    }

    It '<Command> -Vault ''<Vault>'' is VaultNotFound, as an unknown vault is: a vault name is not a wildcard' -ForEach @(
        foreach ($vault in '*', 'O*', 'Fl?ky') {
            @{ Command = 'Disconnect-TSheets'; Vault = $vault }
            @{ Command = 'Get-TSheetsToken'; Vault = $vault }
        }
    ) {
        # Stored past the module: this session holds no copy that would answer before any vault.
        Set-FixtureSecret $name '{"version":1,"access_token":"S.7__kept","base_uri":"https://rest.tsheets.com/api/v1"}' -Vault Flaky
        $err = { & $Command -Name $name -Vault $Vault -ErrorAction Stop } | Should -Throw -ErrorId "VaultNotFound,TSheets.Auth.Commands.$($Command -replace '-', '')Command" -PassThru
        $err.Exception.Message | Should -Match "There is no SecretManagement vault named '$([regex]::Escape($Vault))'"
        Get-FlakyVaultSecretName "TSheets.Auth.$name" | Should -Be "TSheets.Auth.$name"
    }
}
