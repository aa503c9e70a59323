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

    # Sign-ins from refresh tokens saved to vault Ops, all in ONE process of their own (the tests' new
    # windows come after it); the tokens' values reach it through its environment, never its command
    # line. -Remove: connections whose secret something then removed from the vault (still remembered).
    # Returns each connection's name and client by key.
    function Connect-InNewProcess([string[]] $Keys, [string[]] $Remove = @()) {
        $connections = @{}
        $environment = @{ T_BASE = "$($emulator.BaseUri)" }
        $script = ''
        foreach ($key in $Keys) {
            $client = New-EmulatorClient $emulator
            $minted = New-EmulatorToken $emulator -ClientId $client.ClientId
            $connections[$key] = [pscustomobject]@{ Name = New-ConnectionName; Client = $client }
            $environment["T_CLIENT_$key"] = $client.ClientId; $environment["T_SECRET_$key"] = $client.PlainSecret; $environment["T_REFRESH_$key"] = $minted.refresh_token
            $script += "Connect-TSheets -Name '$($connections[$key].Name)' -Vault Ops -ClientId `$env:T_CLIENT_$key -ClientSecret (ConvertTo-SecureString `$env:T_SECRET_$key -AsPlainText -Force) -RefreshToken (ConvertTo-SecureString `$env:T_REFRESH_$key -AsPlainText -Force) -BaseUri `$env:T_BASE`n"
        }
        foreach ($key in $Remove) { $script += "Microsoft.PowerShell.SecretManagement\Remove-Secret -Name 'TSheets.Auth.$($connections[$key].Name)' -Vault Ops`n" }
        $result = Invoke-FreshPwsh -Environment $environment ($script + "'CONNECTED'")
        $result.Output | Should -Contain 'CONNECTED' -Because ($result.Output -join "`n")
        $connections
    }

    # Runs a script in a new process; returns its output as one text (errors caught and shown as ERRORID/MESSAGE lines by the script).
    function Invoke-NewWindow([string] $Script) { (Invoke-FreshPwsh $Script).Output -join "`n" }
}

AfterAll {
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'A connection saved to a vault is found again without -Vault (the real SecretStore)' {
    # Every connection this Describe's tests find, made up front: each test's windows are new processes
    # that come after it, as they would come after a sign-in made earlier (the emulator is not reset
    # between its tests, so the pairs stay valid; a test compares its counters before and after).
    BeforeAll {
        Reset-Emulator $emulator
        $saved = Connect-InNewProcess -Keys 'Found', 'VaultWins', 'Gone', 'Disconnect', 'WhatIf' -Remove 'Gone'
    }

    It 'is found by a new window''s Invoke-TSheetsRestMethod and Get-TSheetsToken with no -Vault, with no request to /grant' {
        $name = $saved.Found.Name; $client = $saved.Found.Client
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
        $name = $saved.VaultWins.Name
        $text = Invoke-NewWindow "try { Get-TSheetsToken -Name '$name' -Vault Flaky -ErrorAction Stop } catch { 'ERRORID ' + `$_.FullyQualifiedErrorId; 'MESSAGE ' + `$_.Exception.Message }"
        $text | Should -Match 'ERRORID TokenNotFound,TSheets.Auth.Commands.GetTSheetsTokenCommand'
        $text | Should -Match "in vault 'Flaky'"
    }

    It 'says that a vault which no longer holds it was where it was saved, with the whole command to sign in again' {
        $name = $saved.Gone.Name; $client = $saved.Gone.Client

        $text = Invoke-NewWindow "try { Invoke-TSheetsRestMethod current_user -Name '$name' } catch { 'ERRORID ' + `$_.FullyQualifiedErrorId; 'MESSAGE ' + `$_.Exception.Message }"

        $text | Should -Match 'ERRORID TokenNotFound,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand'
        $text | Should -Match "was saved in vault 'Ops' and is no longer there"
        $text | Should -Match ([regex]::Escape("Connect-TSheets -Name '$name' -Vault 'Ops' -ClientId '$($client.ClientId)' -ClientSecret `$secret -RedirectUri <your app's redirect URI> -BaseUri '$($emulator.BaseUri)'"))
    }

    It 'is removed by Disconnect-TSheets without -Vault from the vault it was saved in, which says so, and then forgotten' {
        $name = $saved.Disconnect.Name

        $text = Invoke-NewWindow "Disconnect-TSheets -Name '$name' -InformationVariable said -Confirm:`$false; 'SAID ' + (`$said -join ' ')"

        $text | Should -Match ([regex]::Escape("SAID Removed '$name' from vault 'Ops' (the secret 'TSheets.Auth.$name'); new sessions no longer find it."))
        Get-Content -LiteralPath $remembered -Raw | Should -Not -Match ([regex]::Escape("`"$name`""))
        # The next window (not the one that disconnected) reads the vault and looks the name up: both only read.
        $next = Invoke-NewWindow "'LISTED ' + @(Microsoft.PowerShell.SecretManagement\Get-SecretInfo -Name 'TSheets.Auth.$name' -Vault Ops).Count; try { Get-TSheetsToken -Name '$name' -ErrorAction Stop } catch { 'MESSAGE ' + `$_.Exception.Message }"
        $next | Should -Match '(?m)^LISTED 0$'
        $next | Should -Match 'none was saved in a vault under that name'
    }

    It 'asks first (ShouldProcess) and changes nothing with -WhatIf' {
        $name = $saved.WhatIf.Name
        $text = Invoke-NewWindow "Disconnect-TSheets -Name '$name' -WhatIf"
        $text | Should -Match "What if: Performing the operation `"Remove from the session and vault 'Ops'`" on target `"TSheets connection '$name'`""
        Get-VaultSecretName "TSheets.Auth.$name" | Should -Be "TSheets.Auth.$name"
    }

    It 'keeps every connection when four processes save theirs at the same moment' {
        $name = New-ConnectionName
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
    # As above; 'Shown' signs in last, right before its test, which shows the refresh token's age in
    # whole minutes.
    BeforeAll {
        Reset-Emulator $emulator
        $saved = Connect-InNewProcess -Keys 'GoneShown', 'Piped', 'Shown' -Remove 'GoneShown'
    }

    It 'shows a vault connection without a request to TSheets, without loading it, and without a secret' {
        $name = $saved.Shown.Name
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
        $name = $saved.GoneShown.Name

        $text = Invoke-NewWindow "`$c = Get-TSheetsConnection '$name'; 'PROBLEM ' + `$c.Problem; 'ADVICE ' + `$c.Advice"

        $text | Should -Match "PROBLEM It was saved in vault 'Ops', which no longer holds it"
        $text | Should -Match ([regex]::Escape("ADVICE Sign in again: Connect-TSheets -Name '$name' -Vault 'Ops'"))
    }

    It 'lists the CI token as the default connection, never refreshable, and a plain name that is nowhere as TokenNotFound' {
        $name = New-ConnectionName
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
        $name = $saved.Piped.Name
        $text = Invoke-NewWindow "Get-TSheetsConnection '$name' | Invoke-TSheetsRestMethod current_user -Items | ForEach-Object { 'USER ' + `$_.username }; Get-TSheetsConnection '$name' | Get-TSheetsToken | ForEach-Object { 'TOKEN ' + `$_.Name }"
        $text | Should -Match '(?m)^USER admin$'
        $text | Should -Match "(?m)^TOKEN $name$"
    }
}
