# Issue 24, items 1, 2 and 8, against the real SecretManagement and SecretStore, each step in a new
# process as a new window or the next scheduled job would be: a connection saved to a vault is found
# again without -Vault; -Vault wins; a vault that no longer holds it says so and what to run;
# Disconnect-TSheets removes it there and forgets it; Get-TSheetsConnection shows it all read-only.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'VaultHelpers.psm1') -Force
    $emulator = Start-TSheetsEmulator
    $vaults = Initialize-TestVault
    $remembered = Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'TSheets.Auth/connections.json'

    # A sign-in from a refresh token saved to a vault, in a process of its own; the token's values
    # reach it through its environment, never its command line.
    function Connect-InNewProcess([string] $Name, [string] $Vault = 'Ops') {
        $client = New-EmulatorClient $emulator
        $minted = New-EmulatorToken $emulator -ClientId $client.ClientId
        $environment = @{ T_CLIENT = $client.ClientId; T_SECRET = $client.PlainSecret; T_REFRESH = $minted.refresh_token; T_BASE = "$($emulator.BaseUri)" }
        $result = Invoke-FreshPwsh -Environment $environment "Connect-TSheets -Name '$Name' -Vault '$Vault' -ClientId `$env:T_CLIENT -ClientSecret (ConvertTo-SecureString `$env:T_SECRET -AsPlainText -Force) -RefreshToken (ConvertTo-SecureString `$env:T_REFRESH -AsPlainText -Force) -BaseUri `$env:T_BASE; 'CONNECTED'"
        $result.Output | Should -Contain 'CONNECTED' -Because ($result.Output -join "`n")
        $client
    }

    # Runs a script in a new process; returns its output as one text (errors caught and shown as ERRORID/MESSAGE lines by the script).
    function Invoke-NewWindow([string] $Script) { (Invoke-FreshPwsh $Script).Output -join "`n" }
}

AfterAll {
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'A connection saved to a vault is found again without -Vault (the real SecretStore)' {
    BeforeEach {
        Reset-Emulator $emulator
        $name = New-ConnectionName
    }

    It 'is found by a new window''s Invoke-TSheetsRestMethod and Get-TSheetsToken with no -Vault, with no request to /grant' {
        $client = Connect-InNewProcess $name
        $grants = (Get-EmulatorStats $emulator).grants.total

        $text = Invoke-NewWindow "'USER ' + (Invoke-TSheetsRestMethod current_user -Name '$name' -Items).username; 'VAULT ' + (Get-TSheetsToken -Name '$name').Vault"

        $text | Should -Match '(?m)^USER admin$'
        $text | Should -Match '(?m)^VAULT Ops$'
        (Get-EmulatorStats $emulator).grants.total | Should -Be $grants
        $file = Get-Content -LiteralPath $remembered -Raw
        $file | Should -Match ([regex]::Escape("`"name`": `"$name`""))
        foreach ($secret in (Invoke-Emulator $emulator '/_emulator/secrets').values) { $file | Should -Not -Match ([regex]::Escape($secret)) }
        $file | Should -Not -Match ([regex]::Escape($client.PlainSecret))
        if (-not $IsWindows) { [IO.File]::GetUnixFileMode($remembered) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite') }
    }

    It 'lets -Vault win over where it was saved' {
        Connect-InNewProcess $name | Out-Null
        $text = Invoke-NewWindow "try { Get-TSheetsToken -Name '$name' -Vault Flaky -ErrorAction Stop } catch { 'ERRORID ' + `$_.FullyQualifiedErrorId; 'MESSAGE ' + `$_.Exception.Message }"
        $text | Should -Match 'ERRORID TokenNotFound,TSheets.Auth.Commands.GetTSheetsTokenCommand'
        $text | Should -Match "in vault 'Flaky'"
    }

    It 'says that a vault which no longer holds it was where it was saved, with the whole command to sign in again' {
        $client = Connect-InNewProcess $name
        (Invoke-FreshPwsh -NoImport "Microsoft.PowerShell.SecretManagement\Remove-Secret -Name 'TSheets.Auth.$name' -Vault Ops; 'GONE'").Output | Should -Contain 'GONE'

        $text = Invoke-NewWindow "try { Invoke-TSheetsRestMethod current_user -Name '$name' } catch { 'ERRORID ' + `$_.FullyQualifiedErrorId; 'MESSAGE ' + `$_.Exception.Message }"

        $text | Should -Match 'ERRORID TokenNotFound,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand'
        $text | Should -Match "was saved in vault 'Ops' and is no longer there"
        $text | Should -Match ([regex]::Escape("Connect-TSheets -Name '$name' -Vault 'Ops' -ClientId '$($client.ClientId)' -ClientSecret `$secret -RedirectUri <your app's redirect URI> -BaseUri '$($emulator.BaseUri)'"))
    }

    It 'is removed by Disconnect-TSheets without -Vault from the vault it was saved in, which says so, and then forgotten' {
        Connect-InNewProcess $name | Out-Null

        $text = Invoke-NewWindow "Disconnect-TSheets -Name '$name' -InformationVariable said -Confirm:`$false; 'SAID ' + (`$said -join ' ')"

        $text | Should -Match ([regex]::Escape("SAID Removed '$name' from vault 'Ops' (the secret 'TSheets.Auth.$name'); new sessions no longer find it."))
        Get-VaultSecretName "TSheets.Auth.$name" | Should -BeNullOrEmpty
        Get-Content -LiteralPath $remembered -Raw | Should -Not -Match ([regex]::Escape("`"$name`""))
        Invoke-NewWindow "try { Get-TSheetsToken -Name '$name' -ErrorAction Stop } catch { 'MESSAGE ' + `$_.Exception.Message }" | Should -Match 'none was saved in a vault under that name'
    }

    It 'asks first (ShouldProcess) and changes nothing with -WhatIf' {
        Connect-InNewProcess $name | Out-Null
        $text = Invoke-NewWindow "Disconnect-TSheets -Name '$name' -WhatIf"
        $text | Should -Match "What if: Performing the operation `"Remove from the session and vault 'Ops'`" on target `"TSheets connection '$name'`""
        Get-VaultSecretName "TSheets.Auth.$name" | Should -Be "TSheets.Auth.$name"
    }

    It 'keeps every connection when four processes save theirs at the same moment' {
        $go = Join-Path $TestDrive "go-$name"
        $sessions = 1..4 | ForEach-Object {
            Start-PwshProcess "'READY'; while (-not (Test-Path '$go')) { Start-Sleep -Milliseconds 20 }; Set-TSheetsToken -Name '$name-$_' -AccessToken (ConvertTo-SecureString 'S.7__p$_' -AsPlainText -Force) -Vault Ops; 'SAVED'"
        }
        $sessions | ForEach-Object { Read-PwshProcessLine $_ '^READY$' -TimeoutSec 60 | Out-Null }
        New-Item -ItemType File -Path $go | Out-Null
        $sessions | ForEach-Object { $result = Wait-PwshProcess $_ -TimeoutSec 120; $result.Output | Should -Match 'SAVED' -Because $result.Errors }

        $text = Invoke-NewWindow "Get-TSheetsConnection '$name-*' | ForEach-Object { 'SEEN ' + `$_.Name + ' ' + `$_.Vault }"

        1..4 | ForEach-Object { $text | Should -Match "(?m)^SEEN $name-$_ Ops$" }
    }
}

Describe 'Get-TSheetsConnection in a new window (the real SecretStore)' {
    BeforeEach {
        Reset-Emulator $emulator
        $name = New-ConnectionName
    }

    It 'shows a vault connection without a request to TSheets, without loading it, and without a secret' {
        Connect-InNewProcess $name | Out-Null
        $before = Get-EmulatorStats $emulator

        $text = Invoke-NewWindow @"
`$c = Get-TSheetsConnection '$name'
'SOURCE ' + `$c.Source + ' ' + `$c.Vault + ' ' + `$c.InSession
'LEFT ' + [int]`$c.TimeLeft.TotalDays + ' ' + `$c.TimeLeft.GetType().Name
'REFRESH ' + `$c.CanRefresh + ' AGE ' + [int]`$c.RefreshTokenAge.TotalMinutes + ' PROBLEM [' + `$c.Problem + ']'
'LOADED ' + @(Get-TSheetsToken -Name '$name' -NoRefresh -ErrorAction SilentlyContinue).Count
`$c | Format-Table | Out-String -Width 200
`$c | Format-List * | Out-String -Width 300
`$c | ConvertTo-Json
"@
        $after = Get-EmulatorStats $emulator
        $text | Should -Match "(?m)^SOURCE Vault Ops False$"
        $text | Should -Match '(?m)^LEFT 10 TimeSpan$'
        $text | Should -Match '(?m)^REFRESH True AGE 0 PROBLEM \[\]$'
        $text | Should -Match "(?m)^$name\s+Vault Ops\s+12345\s+acmeco\s+9d 23h\s+True"
        $after.grants.total | Should -Be $before.grants.total
        @($after.api_requests).Count | Should -Be @($before.api_requests).Count
        foreach ($secret in (Invoke-Emulator $emulator '/_emulator/secrets').values) { $text | Should -Not -Match ([regex]::Escape($secret)) }
    }

    It 'says what is wrong with a connection its vault no longer holds, and what to run' {
        Connect-InNewProcess $name | Out-Null
        (Invoke-FreshPwsh -NoImport "Microsoft.PowerShell.SecretManagement\Remove-Secret -Name 'TSheets.Auth.$name' -Vault Ops; 'GONE'").Output | Should -Contain 'GONE'

        $text = Invoke-NewWindow "`$c = Get-TSheetsConnection '$name'; 'PROBLEM ' + `$c.Problem; 'ADVICE ' + `$c.Advice"

        $text | Should -Match "PROBLEM It was saved in vault 'Ops', which no longer holds it"
        $text | Should -Match ([regex]::Escape("ADVICE Sign in again: Connect-TSheets -Name '$name' -Vault 'Ops'"))
    }

    It 'lists the CI token as the default connection, never refreshable, and a plain name that is nowhere as TokenNotFound' {
        $result = Invoke-FreshPwsh -Environment @{ TSHEETS_ACCESS_TOKEN = 'S.7__citoken0000000000000000000000000000000' } @"
Get-TSheetsConnection -Name default | ForEach-Object { 'CI ' + `$_.Source + ' ' + `$_.CanRefresh + ' ' + `$_.CannotRefreshBecause }
try { Get-TSheetsConnection -Name '$name' -ErrorAction Stop } catch { 'ERRORID ' + `$_.FullyQualifiedErrorId }
"@
        $text = $result.Output -join "`n"
        $text | Should -Match '(?m)^CI Environment False it is the CI token'
        $text | Should -Match 'ERRORID TokenNotFound,TSheets.Auth.Commands.GetTSheetsConnectionCommand'
        $text | Should -Not -Match 'S\.7__citoken'
    }

    It 'pipes into Invoke-TSheetsRestMethod and Get-TSheetsToken by Name' {
        Connect-InNewProcess $name | Out-Null
        $text = Invoke-NewWindow "Get-TSheetsConnection '$name' | Invoke-TSheetsRestMethod current_user -Items | ForEach-Object { 'USER ' + `$_.username }; Get-TSheetsConnection '$name' | Get-TSheetsToken | ForEach-Object { 'TOKEN ' + `$_.Name }"
        $text | Should -Match '(?m)^USER admin$'
        $text | Should -Match "(?m)^TOKEN $name$"
    }
}
