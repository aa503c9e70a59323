# The person's own SecretManagement calls and the module's writes, in one session, against the real
# SecretStore: what the module writes, the session sees at once; what the session writes afterwards
# never erases it (SecretStore writes its whole per-process copy back on every change). Each session
# is a pwsh of its own with a HOME of its own, so each store can be set up with or without a password;
# every flow is then checked from a new process, as the next scheduled job would see it.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'VaultHelpers.psm1') -Force
    $emulator = Start-TSheetsEmulator
    $vaults = Initialize-TestVault
    $password = 'correct horse battery staple'

    # A HOME with a SecretStore vault 'S' (no password, or a password unlocked in each session).
    function New-StoreHome([string] $Authentication) {
        $storeHome = Join-Path $TestDrive "home-$Authentication-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
        foreach ($folder in '.config', '.local/share', '.cache') { New-Item -ItemType Directory -Path (Join-Path $storeHome $folder) -Force | Out-Null }
        $environment = @{ HOME = $storeHome; USERPROFILE = $storeHome; LOCALAPPDATA = (Join-Path $storeHome '.local/share'); TSHEETS_TEST_STORE_PASSWORD = $password }
        $reset = if ($Authentication -eq 'Password') {
            "Reset-SecretStore -Scope CurrentUser -Authentication Password -Password (ConvertTo-SecureString `$env:TSHEETS_TEST_STORE_PASSWORD -AsPlainText -Force) -PasswordTimeout 900 -Interaction None -Force -Confirm:`$false -WarningAction SilentlyContinue"
        }
        else {
            "Reset-SecretStore -Scope CurrentUser -Authentication None -PasswordTimeout -1 -Interaction None -Force -Confirm:`$false -WarningAction SilentlyContinue"
        }
        $setup = Invoke-FreshPwsh -NoImport -Environment $environment "Import-Module Microsoft.PowerShell.SecretManagement, Microsoft.PowerShell.SecretStore; $reset; Register-SecretVault -Name S -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault; 'READY'"
        if ($setup.Output -notcontains 'READY') { throw "Could not set up a SecretStore ($Authentication): $($setup.Output -join "`n")" }
        [pscustomobject]@{ Authentication = $Authentication; Environment = $environment }
    }

    $stores = @{ None = New-StoreHome 'None'; Password = New-StoreHome 'Password' }

    # What every session (and every checking process) runs first: SecretManagement loaded, the store unlocked when it has a password.
    function Get-SessionPrelude($Store) {
        $unlock = if ($Store.Authentication -eq 'Password') { "Microsoft.PowerShell.SecretStore\Unlock-SecretStore -Password (ConvertTo-SecureString `$env:TSHEETS_TEST_STORE_PASSWORD -AsPlainText -Force); " } else { '' }
        "Import-Module Microsoft.PowerShell.SecretManagement; $unlock"
    }

    # Runs a person's session: one pwsh, the module imported, the flow's lines in order. Returns its output.
    function Invoke-Session($Store, [string] $Flow, [hashtable] $Environment = @{}, [int] $TimeoutSec = 120) {
        $merged = $Store.Environment.Clone()
        foreach ($entry in $Environment.GetEnumerator()) { $merged[$entry.Key] = $entry.Value }
        $result = Invoke-FreshPwsh -Environment $merged -TimeoutSec $TimeoutSec ((Get-SessionPrelude $Store) + $Flow)
        if ($result.ExitCode -ne 0) { throw "The session failed: $($result.Output -join "`n")" }
        $result.Output
    }

    # What a new process sees in the store: the secret names matching a pattern, and the connection's access token.
    function Get-StoreView($Store, [string] $Pattern, [string] $Name) {
        $result = Invoke-FreshPwsh -NoImport -Environment $Store.Environment ((Get-SessionPrelude $Store) +
            "Get-SecretInfo -Name '$Pattern' -Vault S | ForEach-Object { 'NAME ' + `$_.Name }; " +
            "`$s = Get-Secret -Name 'TSheets.Auth.$Name' -Vault S -AsPlainText -ErrorAction SilentlyContinue; if (`$s) { 'ACCESS ' + (`$s | ConvertFrom-Json).access_token }")
        [pscustomobject]@{
            Names  = @($result.Output | Where-Object { $_ -like 'NAME *' } | ForEach-Object { $_.Substring(5) })
            Access = ($result.Output | Where-Object { $_ -like 'ACCESS *' } | ForEach-Object { $_.Substring(7) }) -join ''
        }
    }

    # What one new process sees in the store for several connections at once: every secret's name, and each connection's access token.
    function Get-StoreViews($Store, [string[]] $Names) {
        $reads = ($Names | ForEach-Object { "`$s = Get-Secret -Name 'TSheets.Auth.$_' -Vault S -AsPlainText -ErrorAction SilentlyContinue; if (`$s) { 'ACCESS $_ ' + (`$s | ConvertFrom-Json).access_token }; " }) -join ''
        $result = Invoke-FreshPwsh -NoImport -Environment $Store.Environment ((Get-SessionPrelude $Store) + "Get-SecretInfo -Vault S | ForEach-Object { 'NAME ' + `$_.Name }; " + $reads)
        $access = @{}
        foreach ($line in $result.Output -like 'ACCESS *') { $word = $line.Split(' '); $access[$word[1]] = $word[2] }
        [pscustomobject]@{ Names = @($result.Output -like 'NAME *' | ForEach-Object { $_.Substring(5) }); Access = $access }
    }

    # A refreshable pair from the emulator, handed to the session through its environment (never its command line).
    function New-SessionToken($Client) {
        $minted = New-EmulatorToken $emulator -ClientId $Client.ClientId
        @{ T_CLIENT = $Client.ClientId; T_SECRET = $Client.PlainSecret; T_REFRESH = $minted.refresh_token; T_ACCESS = $minted.access_token; T_BASE = "$($emulator.BaseUri)" }
    }

    $connectLine = "Connect-TSheets -Name `$env:T_NAME -Vault S -ClientId `$env:T_CLIENT -ClientSecret (ConvertTo-SecureString `$env:T_SECRET -AsPlainText -Force) -RefreshToken (ConvertTo-SecureString `$env:T_REFRESH -AsPlainText -Force) -BaseUri `$env:T_BASE; "
    $accessLine = "'ACCESS ' + (Get-TSheetsToken -Name `$env:T_NAME -AsPlainText); "
    $inSessionLine = "'LISTED ' + @(Get-SecretInfo -Name ('TSheets.Auth.' + `$env:T_NAME) -Vault S).Count; 'READ ' + ((Get-Secret -Name ('TSheets.Auth.' + `$env:T_NAME) -Vault S -AsPlainText) | ConvertFrom-Json).access_token; "
    function Get-Marked([string[]] $Output, [string] $Mark) { ($Output | Where-Object { $_ -like "$Mark *" } | ForEach-Object { $_.Substring($Mark.Length + 1) }) -join "`n" }
}

AfterAll {
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

# The four flows of one store run in ONE session, one after another, each under its own connection
# name and client, each with the session's own Set-Secret before and after the module's write (as they
# were one session each): what they prove is about a
# session whose SecretStore copy is loaded and then written by the module and the session in turn,
# which a flow run after another flow meets just as a first one does (a fresh session would only
# repeat the same first load). The rotation adopted from another process needs its own session (it
# waits while that process runs). One new process, which wrote nothing, then reads every flow's result.
Describe 'The session''s own view of a SecretStore vault (<Authentication>)' -ForEach @(@{ Authentication = 'None' }, @{ Authentication = 'Password' }) {
    BeforeAll {
        Reset-Emulator $emulator
        $store = $stores[$Authentication]
        # Each flow's connection, client and pair, handed to the session as variables named after it (CONNECT_NAME ...).
        $flows = [ordered]@{}
        $environment = @{}
        foreach ($key in 'CONNECT', 'SETTOKEN', 'DISCONNECT', 'REFRESH', 'ADOPT') {
            $client = New-EmulatorClient $emulator
            $flows[$key] = [pscustomobject]@{ Name = New-ConnectionName; Client = $client; Environment = New-SessionToken $client }
            foreach ($entry in $flows[$key].Environment.GetEnumerator()) { $environment["$($key)_$($entry.Key.Substring(2))"] = $entry.Value }
            $environment["$($key)_NAME"] = $flows[$key].Name
        }
        function Get-FlowLines([string] $Key, [string] $Lines) { $Lines.Replace('$env:T_', '$env:' + $Key + '_').Replace("'FIRST ", "'$Key FIRST ").Replace("'ACCESS ", "'$Key ACCESS ").Replace("'LISTED ", "'$Key LISTED ").Replace("'READ ", "'$Key READ ").Replace("'BEFORE ", "'$Key BEFORE ") }
        $session = Invoke-Session $store -Environment $environment -TimeoutSec 300 ((
            (Get-FlowLines 'CONNECT' ("Set-Secret -Name (`$env:T_NAME + '-before') -Secret x -Vault S; " + $connectLine + $accessLine + $inSessionLine +
                "Set-Secret -Name (`$env:T_NAME + '-after') -Secret y -Vault S; Remove-Secret -Name (`$env:T_NAME + '-before') -Vault S; ")),
            (Get-FlowLines 'SETTOKEN' ("Set-Secret -Name (`$env:T_NAME + '-before') -Secret x -Vault S; " +
                "ConvertTo-SecureString `$env:T_ACCESS -AsPlainText -Force | Set-TSheetsToken -Name `$env:T_NAME -Vault S -ExpiresOn (Get-Date).AddDays(5) -BaseUri `$env:T_BASE; " +
                $inSessionLine + "Set-Secret -Name (`$env:T_NAME + '-after') -Secret y -Vault S; ")),
            (Get-FlowLines 'DISCONNECT' ("Set-Secret -Name (`$env:T_NAME + '-before') -Secret x -Vault S; " + $connectLine +
                "'BEFORE ' + @(Get-SecretInfo -Name ('TSheets.Auth.' + `$env:T_NAME) -Vault S).Count; Disconnect-TSheets -Name `$env:T_NAME -Vault S; " +
                "'LISTED ' + @(Get-SecretInfo -Name ('TSheets.Auth.' + `$env:T_NAME) -Vault S).Count; Set-Secret -Name (`$env:T_NAME + '-after') -Secret y -Vault S; ")),
            (Get-FlowLines 'REFRESH' ($connectLine +
                "Set-Secret -Name (`$env:T_NAME + '-before') -Secret x -Vault S; 'FIRST ' + (Get-TSheetsToken -Name `$env:T_NAME -AsPlainText); " +
                "'ACCESS ' + (Get-TSheetsToken -Name `$env:T_NAME -ForceRefresh -AsPlainText); " + $inSessionLine + "Set-Secret -Name (`$env:T_NAME + '-after') -Secret y -Vault S; "))
        ) -join '')

        # The rotation adopted from another process: the session loads, a job rotates, the session goes on.
        $adopt = $flows.ADOPT
        $adopting = Start-PwshProcess -Environment ($store.Environment + $environment) ((Get-SessionPrelude $store) + (Get-FlowLines 'ADOPT' ($connectLine +
            "Set-Secret -Name (`$env:T_NAME + '-mine') -Secret x -Vault S; 'LOADED'; [Console]::In.ReadLine() | Out-Null; " +
            $accessLine + "Set-Secret -Name (`$env:T_NAME + '-after') -Secret y -Vault S; 'DONE'")))
        Read-PwshProcessLine $adopting '^LOADED$' -TimeoutSec 60 | Out-Null
        $job = Invoke-FreshPwsh -Environment ($store.Environment + @{ T_NAME = $adopt.Name }) ((Get-SessionPrelude $store) + "Get-TSheetsToken -Name `$env:T_NAME -Vault S -ForceRefresh -AsPlainText")
        $adoptRotated = ($job.Output -join '')
        $adopting.Process.StandardInput.WriteLine('go')
        $adopted = Wait-PwshProcess $adopting

        $view = Get-StoreViews $store @($flows.Values.Name)
        function Get-Refreshes($Flow) { @((Get-EmulatorStats $emulator).grant_requests | Where-Object { $_.grant_type -eq 'refresh_token' -and $_.client_id -eq $Flow.Client.ClientId }).Count }
    }

    It 'lists and returns a connection saved right after the session''s own Set-Secret, and keeps it through the session''s next Set-Secret and Remove-Secret' {
        $name = $flows.CONNECT.Name
        $access = Get-Marked $session 'CONNECT ACCESS'
        $access | Should -Match '^S\.7__[0-9a-f]{40}$'
        Get-Marked $session 'CONNECT LISTED' | Should -Be '1'
        Get-Marked $session 'CONNECT READ' | Should -BeExactly $access
        $view.Names | Should -Contain "TSheets.Auth.$name"
        $view.Names | Should -Contain "$name-after"
        $view.Names | Should -Not -Contain "$name-before"
        $view.Access[$name] | Should -BeExactly $access
    }

    It 'lists a token stored with Set-TSheetsToken -Vault right after the session''s own Set-Secret, and keeps it through the next one' {
        $flow = $flows.SETTOKEN
        Get-Marked $session 'SETTOKEN LISTED' | Should -Be '1'
        Get-Marked $session 'SETTOKEN READ' | Should -BeExactly $flow.Environment.T_ACCESS
        $view.Access[$flow.Name] | Should -BeExactly $flow.Environment.T_ACCESS
    }

    It 'takes a connection out of the session''s view with Disconnect-TSheets -Vault, and the session''s next Set-Secret does not bring it back' {
        $name = $flows.DISCONNECT.Name
        Get-Marked $session 'DISCONNECT BEFORE' | Should -Be '1'
        Get-Marked $session 'DISCONNECT LISTED' | Should -Be '0'
        $view.Names | Should -Not -Contain "TSheets.Auth.$name"
        $view.Names | Should -Contain "$name-after"
    }

    It 'shows the pair a refresh in the session rotated, and keeps it through the session''s next Set-Secret' {
        $rotated = Get-Marked $session 'REFRESH ACCESS'
        $rotated | Should -Match '^S\.7__[0-9a-f]{40}$'
        $rotated | Should -Not -Be (Get-Marked $session 'REFRESH FIRST')
        Get-Marked $session 'REFRESH READ' | Should -BeExactly $rotated
        $view.Access[$flows.REFRESH.Name] | Should -BeExactly $rotated
        Get-Refreshes $flows.REFRESH | Should -Be 2
    }

    It 'adopts at its next call a pair another process rotated while it held the store, and its own next Set-Secret keeps it' {
        $adoptRotated | Should -Match '^S\.7__[0-9a-f]{40}$'
        $adopted.Output | Should -Match 'DONE' -Because $adopted.Errors
        Get-Marked ($adopted.Output -split "`n") 'ADOPT ACCESS' | Should -BeExactly $adoptRotated
        $view.Access[$adopt.Name] | Should -BeExactly $adoptRotated
        Get-Refreshes $adopt | Should -Be 2
    }
}

Describe 'A pair put back by a stale copy of the store' {
    BeforeEach {
        Reset-Emulator $emulator
        $store = $stores.None
        $client = New-EmulatorClient $emulator
        $name = New-ConnectionName
        $environment = (New-SessionToken $client) + @{ T_NAME = $name }
    }

    It 'is written back by the session that holds the newest pair; a job that meets it first says what happened and what to run' {
        # The session signs in and keeps the newest pair. Another window loaded the store before and its copy
        # never reloads (its watcher is off: SecretStore's watcher ignores changes within 5 s of its own writes).
        $session = Start-PwshProcess -Environment ($store.Environment + $environment) ((Get-SessionPrelude $store) + $connectLine +
            "'SIGNED-IN'; [Console]::In.ReadLine() | Out-Null; 'NEWEST ' + (Get-TSheetsToken -Name `$env:T_NAME -ForceRefresh -AsPlainText); [Console]::In.ReadLine() | Out-Null; " +
            "Get-TSheetsToken -Name `$env:T_NAME -ForceRefresh -Verbose 4>&1 | ForEach-Object { 'SAID ' + `$_ }; 'DONE'")
        Read-PwshProcessLine $session '^SIGNED-IN$' -TimeoutSec 60 | Out-Null
        $window = Start-PwshProcess -Environment $store.Environment ((Get-SessionPrelude $store) +
            "Get-SecretInfo -Vault S | Out-Null; `$t = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'Microsoft.PowerShell.SecretStore' } | ForEach-Object { `$_.GetType('Microsoft.PowerShell.SecretStore.SecureStoreFile') }; " +
            "`$t.GetField('_storeFileWatcher', [Reflection.BindingFlags]'NonPublic,Static').GetValue(`$null).EnableRaisingEvents = `$false; 'STALE'; [Console]::In.ReadLine() | Out-Null; Set-Secret -Name 'window' -Secret z -Vault S; 'WROTE'")
        Read-PwshProcessLine $window '^STALE$' -TimeoutSec 60 | Out-Null
        $signedIn = (Get-StoreView $store 'none' $name).Access
        $session.Process.StandardInput.WriteLine('go')
        $newest = (Read-PwshProcessLine $session '^NEWEST ') -replace '^NEWEST '
        $window.Process.StandardInput.WriteLine('go')
        (Wait-PwshProcess $window).Output | Should -Match 'WROTE'
        (Get-StoreView $store 'none' $name).Access | Should -BeExactly $signedIn -Because 'the window''s stale copy put the older pair back'

        $job = Invoke-FreshPwsh -Environment ($store.Environment + @{ T_NAME = $name }) ((Get-SessionPrelude $store) + "Get-TSheetsToken -Name `$env:T_NAME -Vault S -ForceRefresh -AsPlainText 3>&1")
        $said = $job.Output -join "`n"
        $said | Should -Match 'stale copy of the store'
        $said | Should -Match ([regex]::Escape("Get-TSheetsToken -Name '$name' -ForceRefresh"))
        $said | Should -Match ([regex]::Escape("Connect-TSheets -Name '$name' -Vault 'S'"))
        $said | Should -Not -Match 'invalid_grant'

        $session.Process.StandardInput.WriteLine('go')
        $result = Wait-PwshProcess $session
        $result.Output | Should -Match 'DONE' -Because $result.Errors
        $result.Output | Should -Match 'wrote this session''s pair back'
        $again = Invoke-FreshPwsh -Environment ($store.Environment + @{ T_NAME = $name }) ((Get-SessionPrelude $store) + "Get-TSheetsToken -Name `$env:T_NAME -Vault S -ForceRefresh -AsPlainText 3>&1")
        ($again.Output -join "`n") | Should -Match '^S\.7__[0-9a-f]{40}$' -Because 'the pair written back refreshes'
        $newest | Should -Not -BeExactly $signedIn
    }
}

Describe 'A scheduled job set up by a script that also keeps its own secrets in the vault' {
    # Three runs: each refreshes (the old refresh token is spent) and then writes its own secret, so a
    # run whose write put back a stale copy of the store leaves the next run a spent pair, and it fails.
    # Run 2 proves run 1's pair survived; run 3 does the same from a pair a job (not the set-up session)
    # wrote over one a job wrote, the steady state every later run repeats unchanged.
    It 'keeps its connection across 3 runs that each refresh and store a secret of their own, with no person' {
        Reset-Emulator $emulator
        $store = $stores.None
        $client = New-EmulatorClient $emulator
        $environment = (New-SessionToken $client) + @{ T_NAME = 'nightly' }
        # The set-up script: the job's settings, its connection, one more secret, all in one session.
        Invoke-Session $store -Environment $environment (
            "Set-Secret -Name 'nightly-settings' -Secret 'export to /srv' -Vault S; " + $connectLine + "Set-Secret -Name 'nightly-smtp' -Secret 'hunter2' -Vault S") | Out-Null
        $job = "`$me = Invoke-TSheetsRestMethod current_user -Name nightly -Vault S; " +
            "Get-TSheetsToken -Name nightly -ForceRefresh | Out-Null; Set-Secret -Name 'nightly-last-run' -Secret (Get-Date -Format o) -Vault S; " +
            "'USER ' + @(`$me.results.users.PSObject.Properties).Count"
        foreach ($run in 1..3) {
            $result = Invoke-FreshPwsh -Environment $store.Environment $job
            $result.ExitCode | Should -Be 0 -Because "run $run said: $($result.Output -join "`n")"
            $result.Output | Should -Contain 'USER 1' -Because "run $run"
        }
        (Get-EmulatorStats $emulator).grants.refresh_token | Should -Be 4
        $view = Get-StoreView $store 'nightly*' 'nightly'
        $view.Names | Should -Contain 'nightly-settings'
        $view.Names | Should -Contain 'nightly-smtp'
        $view.Access | Should -Match '^S\.7__[0-9a-f]{40}$'
    }
}
