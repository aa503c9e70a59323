# Connections in a SecretManagement vault, across processes: against the real SecretManagement and
# SecretStore (VaultHelpers.psm1; without them every test here fails, saying how to get them), where
# SecretStore caches its store in every process and may never see another process's write.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'VaultHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $emulator = Start-TSheetsEmulator
    $vaults = Initialize-TestVault

    # A refreshable pair from the emulator, stored in the vault with an expiry <Left> away out of a
    # 10-minute life: from this process through SecretManagement (a fixture, as a sign-in elsewhere
    # would leave it: this process's module never holds it), before the test's processes start; with
    # -InNewProcess from a child, for a test about a write made after this process read the vault.
    function Set-VaultToken([string] $Name, $Client, [TimeSpan] $Left, [string] $Vault = 'Ops', [switch] $InNewProcess) {
        $minted = New-EmulatorToken $emulator -ClientId $Client.ClientId
        $issued = [DateTimeOffset]::UtcNow + $Left - [TimeSpan]::FromMinutes(10)
        $document = [ordered]@{
            version = 1; access_token = $minted.access_token; refresh_token = $minted.refresh_token
            issued_on = $issued.ToString('o'); expires_on = ($issued + [TimeSpan]::FromMinutes(10)).ToString('o')
            client_id = $Client.ClientId; client_secret = $Client.PlainSecret; user_id = '12345'; base_uri = "$($emulator.BaseUri)"
        } | ConvertTo-Json -Compress
        if (-not $InNewProcess) { Set-FixtureSecret $Name $document -Vault $Vault; return $minted }
        $env:TSHEETS_TEST_DOCUMENT = $document
        try {
            $result = Invoke-FreshPwsh -NoImport "Microsoft.PowerShell.SecretManagement\Set-Secret -Name 'TSheets.Auth.$Name' -Vault '$Vault' -SecureStringSecret (ConvertTo-SecureString `$env:TSHEETS_TEST_DOCUMENT -AsPlainText -Force)"
        }
        finally { Remove-Item Env:TSHEETS_TEST_DOCUMENT }
        if ($result.ExitCode -ne 0) { throw "Could not store the token: $($result.Output)" }
        $minted
    }

    function Get-Grants { (Get-EmulatorStats $emulator).grants }
}

AfterAll {
    if ($vaults) { Set-FlakyVault }
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'Connections in a vault (the real SecretStore)' {
    BeforeEach {
        Reset-Emulator $emulator
        Set-FlakyVault
        $client = New-EmulatorClient $emulator
        $name = New-ConnectionName
        $common = @{ ClientId = $client.ClientId; ClientSecret = $client.ClientSecret; BaseUri = $emulator.BaseUri; Name = $name }
        function Get-Code {
            $request = New-TSheetsAuthorizationUrl -ClientId $client.ClientId -RedirectUri $client.RedirectUri -BaseUri $emulator.BaseUri
            @{ AuthorizationCode = ([uri](Approve-Authorization $emulator $request.Url)).Query -replace '.*code=([^&]+).*', '$1'; CodeVerifier = $request.CodeVerifier }
        }
    }

    It 'saves a sign-in as one small versioned secret named TSheets.Auth.<Name>' {
        $code = Get-Code
        $token = Connect-TSheets @common @code -RedirectUri $client.RedirectUri -Vault Ops -PassThru -InformationVariable info
        $token.Vault | Should -Be 'Ops'
        "$info" | Should -Match "Saved in vault 'Ops'"
        $stored = Read-VaultDocument $name
        $stored.Document.version | Should -Be 1
        $stored.Document.access_token | Should -BeExactly ($token.AccessToken | ConvertFrom-TestSecureString)
        $stored.Document.client_id | Should -Be $client.ClientId
        $stored.Document.user_id | Should -Be '12345'
        $stored.Document.client_url | Should -Be 'acmeco'
        $stored.Document.base_uri | Should -Be "$($emulator.BaseUri)"
        [Text.Encoding]::UTF8.GetByteCount($stored.Text) | Should -BeLessThan 2048
    }

    It 'loads the connection in a fresh process without a request to TSheets' {
        $code = Get-Code
        Connect-TSheets @common @code -RedirectUri $client.RedirectUri -Vault Ops
        $before = (Get-Grants).total
        $text = (Invoke-FreshPwsh "(Get-TSheetsToken -Name '$name' -Vault Ops).UserId; (Get-TSheetsToken -Name '$name').Vault").Output -join "`n"
        $text | Should -Match '(?m)^12345$'
        $text | Should -Match '(?m)^Ops$'
        (Get-Grants).total | Should -Be $before
    }

    It 'refreshes in one process, writes the rotated pair back, and the next process uses it without refreshing' {
        $minted = Set-VaultToken $name $client ([TimeSpan]::FromMinutes(3))
        $first = (Invoke-FreshPwsh "Get-TSheetsToken -Name '$name' -Vault Ops -AsPlainText").Output -join ''
        $first | Should -Match '^S\.7__[0-9a-f]{40}$'
        $first | Should -Not -Be $minted.access_token
        # The next process reads the stored document before its own call (it has written nothing then).
        $next = (Invoke-FreshPwsh "'STORED ' + (Microsoft.PowerShell.SecretManagement\Get-Secret -Name 'TSheets.Auth.$name' -Vault Ops -AsPlainText | ConvertFrom-Json).access_token; 'TOKEN ' + (Get-TSheetsToken -Name '$name' -Vault Ops -AsPlainText)").Output
        $next | Should -Contain "STORED $first"
        $next | Should -Contain "TOKEN $first"
        (Get-Grants).refresh_token | Should -Be 1
    }

    It 'lets six processes started together on a <Case> token cause one /grant, all getting the new token, none warning' -TestCases @(
        @{ Case = 'due'; Left = [TimeSpan]::FromMinutes(3) }
        @{ Case = 'expired'; Left = [TimeSpan]::FromMinutes(-1) }
    ) {
        Set-VaultToken $name $client $Left | Out-Null
        # Each process reads the vault first (SecretStore then serves it from its cache), then all go at once.
        $go = Join-Path $TestDrive "go-$Case"
        $sessions = 1..6 | ForEach-Object {
            Start-PwshProcess "Get-TSheetsToken -Name '$name' -Vault Ops -NoRefresh -ErrorAction SilentlyContinue | Out-Null; 'READY'; while (-not (Test-Path '$go')) { Start-Sleep -Milliseconds 20 }; Get-TSheetsToken -Name '$name' -Vault Ops -AsPlainText 3>&1"
        }
        $sessions | ForEach-Object { Read-PwshProcessLine $_ '^READY$' -TimeoutSec 60 | Out-Null }
        New-Item -ItemType File -Path $go | Out-Null
        $results = $sessions | ForEach-Object { Wait-PwshProcess $_ }
        $tokens = $results | ForEach-Object { ($_.Output -split "`n" | Where-Object { $_ -ne 'READY' -and $_ }) -join "`n" }
        $results | ForEach-Object { $_.ExitCode | Should -Be 0 -Because $_.Errors }
        $tokens | ForEach-Object { $_ | Should -Match '^S\.7__[0-9a-f]{40}$' -Because 'one token and no warning' }
        @($tokens | Sort-Object -Unique).Count | Should -Be 1
        (Get-Grants).refresh_token | Should -Be 1
        (Read-VaultDocument $name).Document.access_token | Should -BeExactly $tokens[0]
    }

    It 'lets a long-running process adopt the pair another process rotated, instead of failing' {
        Set-VaultToken $name $client ([TimeSpan]::FromMinutes(8)) | Out-Null
        $service = Start-PwshProcess "Get-TSheetsToken -Name '$name' -Vault Ops -NoRefresh | Out-Null; 'LOADED'; [Console]::In.ReadLine() | Out-Null; Get-TSheetsToken -Name '$name' -ForceRefresh -AsPlainText 3>&1"
        Read-PwshProcessLine $service '^LOADED$' -TimeoutSec 60 | Out-Null
        $rotated = (Invoke-FreshPwsh "Get-TSheetsToken -Name '$name' -Vault Ops -ForceRefresh -AsPlainText").Output -join ''
        $service.Process.StandardInput.WriteLine('go')
        $result = Wait-PwshProcess $service
        $result.ExitCode | Should -Be 0 -Because $result.Errors
        ($result.Output -split "`n" | Where-Object { $_ -and $_ -ne 'LOADED' }) -join "`n" | Should -BeExactly $rotated
        (Get-Grants).refresh_token | Should -Be 1
    }

    It 'leaves no stale lock when a process is killed in the middle of a refresh' {
        Set-VaultToken $name $client ([TimeSpan]::FromMinutes(3)) | Out-Null
        Add-EmulatorFault $emulator @{ path = '/api/v1/grant'; hang = $true }
        $stuck = Start-PwshProcess "Get-TSheetsToken -Name '$name' -Vault Ops -AsPlainText"
        try {
            # The refresh holds the lock while the emulator holds its request for ever.
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not ((Get-EmulatorStats $emulator).grant_arrivals -ge 1 -and (Test-VaultLockHeld $name))) {
                if ([DateTime]::UtcNow -gt $deadline) { throw 'The refresh never reached the emulator under the lock.' }
                Start-Sleep -Milliseconds 25
            }
        }
        finally {
            $stuck.Process.Kill()
            $stuck.Process.WaitForExit()
            # Killed before or after its request reached the emulator: either way the hang is over.
            Invoke-Emulator $emulator '/_emulator/faults' -Method Delete | Out-Null
        }
        Test-VaultLockHeld $name | Should -BeFalse
        $result = Invoke-FreshPwsh "`$w = [Diagnostics.Stopwatch]::StartNew(); Get-TSheetsToken -Name '$name' -Vault Ops -AsPlainText; 'ELAPSED ' + `$w.ElapsedMilliseconds"
        $text = $result.Output -join "`n"
        $text | Should -Match '(?m)^S\.7__[0-9a-f]{40}$'
        [int]([regex]::Match($text, 'ELAPSED (\d+)').Groups[1].Value) | Should -BeLessThan 15000
        (Get-Grants).refresh_token | Should -Be 1
    }

    It 'keeps one lock file per connection in a folder only this user can open, however many refreshes' {
        Set-VaultToken $name $client ([TimeSpan]::FromMinutes(8)) | Out-Null
        $result = Invoke-FreshPwsh "1..5 | ForEach-Object { Get-TSheetsToken -Name '$name' -Vault Ops -ForceRefresh | Out-Null }; 'DONE'"
        $result.Output | Should -Contain 'DONE'
        (Get-Grants).refresh_token | Should -Be 5
        Test-Path -LiteralPath (Get-VaultLockPath $name) | Should -BeTrue
        $mine = @(Get-ChildItem -LiteralPath (Get-LockFolder) -File | Where-Object Name -EQ (Split-Path -Leaf (Get-VaultLockPath $name)))
        $mine.Count | Should -Be 1
        if (-not $IsWindows) {
            [IO.File]::GetUnixFileMode((Get-LockFolder)) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
        }
        Disconnect-TSheets -Name $name -Vault Ops
        Test-Path -LiteralPath (Get-VaultLockPath $name) | Should -BeFalse
    }

    It 'lets four machines sharing a networked vault refresh an expired token at once: all succeed, the vault ends with a pair that refreshes' {
        $machines = 1..4 | ForEach-Object {
            $machineHome = Join-Path $TestDrive "machine-$_-$name"
            foreach ($folder in '.config', '.local/share', '.cache') { New-Item -ItemType Directory -Path (Join-Path $machineHome $folder) -Force | Out-Null }
            @{ HOME = $machineHome; USERPROFILE = $machineHome; LOCALAPPDATA = (Join-Path $machineHome '.local/share') }
        }
        # The shared file every machine's vault reads (the test extension vault: it keeps no copy per process).
        Set-VaultToken $name $client ([TimeSpan]::FromMinutes(-1)) -Vault Flaky | Out-Null
        $go = Join-Path $TestDrive "go-machines-$name"
        # Each machine registers the vault in its own HOME, in the process that then refreshes, before the signal.
        $register = "Microsoft.PowerShell.SecretManagement\Register-SecretVault -Name Flaky -ModuleName '$(Join-Path $PSScriptRoot 'TestVault/TSheets.TestVault')' -VaultParameters @{ Path = '$($vaults.Flaky.Path)'; Control = '$($vaults.Flaky.Control)' } -AllowClobber; "
        $sessions = $machines | ForEach-Object {
            Start-PwshProcess -Environment $_ "$register'READY'; while (-not (Test-Path '$go')) { Start-Sleep -Milliseconds 20 }; Get-TSheetsToken -Name '$name' -Vault Flaky -AsPlainText 3>&1"
        }
        $sessions | ForEach-Object { Read-PwshProcessLine $_ '^READY$' -TimeoutSec 60 | Out-Null }
        New-Item -ItemType File -Path $go | Out-Null
        $results = $sessions | ForEach-Object { Wait-PwshProcess $_ }
        $results | ForEach-Object { $_.ExitCode | Should -Be 0 -Because $_.Errors }
        $tokens = $results | ForEach-Object { ($_.Output -split "`n" | Where-Object { $_ -and $_ -ne 'READY' }) -join "`n" }
        $tokens | ForEach-Object { $_ | Should -Match '^S\.7__[0-9a-f]{40}$' }
        @($tokens | Sort-Object -Unique).Count | Should -Be 1
        (Get-Grants).refresh_token | Should -Be 1
        $again = Invoke-FreshPwsh -Environment $machines[2] "Get-TSheetsToken -Name '$name' -Vault Flaky -ForceRefresh -AsPlainText"
        ($again.Output -join '') | Should -Match '^S\.7__[0-9a-f]{40}$'
        (Get-Grants).refresh_token | Should -Be 2
    }

    It 'retries a vault write that fails after a rotation' {
        Set-VaultToken $name $client ([TimeSpan]::FromMinutes(8)) -Vault Flaky | Out-Null
        Get-TSheetsToken -Name $name -Vault Flaky -NoRefresh | Out-Null
        Set-FlakyVault -FailSet 2 -Message 'write refused'
        $token = Get-TSheetsToken -Name $name -ForceRefresh -ErrorVariable errors
        @($errors).Count | Should -Be 0
        (Read-FlakyVaultDocument $name).Document.access_token | Should -BeExactly ($token.AccessToken | ConvertFrom-TestSecureString)
    }

    It 'says the session holds the only working pair, and how to save it, when the vault write keeps failing; the token is returned' {
        Set-VaultToken $name $client ([TimeSpan]::FromMinutes(8)) -Vault Flaky | Out-Null
        Get-TSheetsToken -Name $name -Vault Flaky -NoRefresh | Out-Null
        Set-FlakyVault -FailSet -1 -Message 'write refused'
        $token = Get-TSheetsToken -Name $name -ForceRefresh -ErrorVariable errors -ErrorAction SilentlyContinue
        $token.UserId | Should -Be '12345'
        $errors[0].FullyQualifiedErrorId | Should -Be 'VaultError,TSheets.Auth.Commands.GetTSheetsTokenCommand'
        $errors[0].Exception.Message | Should -Match 'write refused'
        $errors[0].Exception.Message | Should -Match 'only working pair'
        $errors[0].Exception.Message | Should -Match ([regex]::Escape("Get-TSheetsToken -Name '$name' | Set-TSheetsToken -Vault 'Flaky'"))
        Get-TSheetsToken -Name $name -AsPlainText | Should -BeExactly ($token.AccessToken | ConvertFrom-TestSecureString)
        Set-FlakyVault
        Get-TSheetsToken -Name $name | Set-TSheetsToken -Vault Flaky
        (Read-FlakyVaultDocument $name).Document.access_token | Should -BeExactly ($token.AccessToken | ConvertFrom-TestSecureString)
    }

    It 'never puts back, from a process whose SecretStore copy is stale, a pair another process rotated' {
        $other = New-ConnectionName
        Set-VaultToken $name $client ([TimeSpan]::FromMinutes(8)) | Out-Null
        Set-VaultToken $other $client ([TimeSpan]::FromMinutes(8)) | Out-Null
        # The service loads the store (both connections) and keeps it; a job then rotates the other one.
        $service = Start-PwshProcess "Get-TSheetsToken -Name '$name' -Vault Ops -NoRefresh | Out-Null; 'LOADED'; [Console]::In.ReadLine() | Out-Null; Get-TSheetsToken -Name '$name' -ForceRefresh -AsPlainText | Out-Null; 'WROTE'"
        Read-PwshProcessLine $service '^LOADED$' -TimeoutSec 60 | Out-Null
        $rotated = (Invoke-FreshPwsh "Get-TSheetsToken -Name '$other' -Vault Ops -ForceRefresh -AsPlainText").Output -join ''
        $service.Process.StandardInput.WriteLine('go')
        $result = Wait-PwshProcess $service
        $result.Output | Should -Match 'WROTE' -Because $result.Errors
        (Read-VaultDocument $other).Document.access_token | Should -BeExactly $rotated -Because 'the service''s write of its own connection must not bring back the other one''s old pair'
        (Get-Grants).refresh_token | Should -Be 2
    }

    It 'removes, from this process, a connection another process stored after this one read the vault' {
        Set-VaultToken $name $client ([TimeSpan]::FromMinutes(8)) -InNewProcess | Out-Null
        Disconnect-TSheets -Name $name -Vault Ops
        (Invoke-FreshPwsh -NoImport "@(Microsoft.PowerShell.SecretManagement\Get-SecretInfo -Name 'TSheets.Auth.$name' -Vault Ops).Count").Output | Should -Be '0'
    }

    It 'persists a session token piped from Get-TSheetsToken, client secret included' {
        $code = Get-Code
        Connect-TSheets @common @code -RedirectUri $client.RedirectUri
        Get-TSheetsToken -Name $name | Set-TSheetsToken -Vault Ops
        $stored = (Read-VaultDocument $name).Document
        $stored.client_secret | Should -BeExactly $client.PlainSecret
        (Get-TSheetsToken -Name $name).Vault | Should -Be 'Ops'
        (Get-TSheetsToken -Name $name).CanRefresh | Should -BeTrue
    }
}
