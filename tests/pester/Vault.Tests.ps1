BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $emulator = Start-TSheetsEmulator
    $standIn = Install-SecretManagementStandIn
    Microsoft.PowerShell.SecretManagement\Register-SecretVault -Name Ops -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
    Microsoft.PowerShell.SecretManagement\Register-SecretVault -Name Other -ModuleName Microsoft.PowerShell.SecretStore

    function Get-StoredDocument([string] $Name, [string] $Vault = 'Ops') {
        $secret = Microsoft.PowerShell.SecretManagement\Get-Secret -Name "TSheets.Auth.$Name" -Vault $Vault -AsPlainText -ErrorAction Stop
        [pscustomobject]@{ Text = $secret; Document = $secret | ConvertFrom-Json }
    }

    # A refreshable pair from the emulator, stored in the vault with an expiry a few minutes away.
    function Set-ExpiringVaultToken([string] $Name, $Client, [TimeSpan] $Left = [TimeSpan]::FromMinutes(3)) {
        $minted = New-EmulatorToken $emulator -ClientId $Client.ClientId
        Set-TSheetsToken -Name $Name -Vault Ops -BaseUri $emulator.BaseUri -ClientId $Client.ClientId -ClientSecret $Client.ClientSecret `
            -AccessToken ($minted.access_token | ConvertTo-TestSecureString) -RefreshToken ($minted.refresh_token | ConvertTo-TestSecureString) `
            -ExpiresOn ([DateTimeOffset]::UtcNow + $Left)
        Disconnect-TSheets -Name $Name   # the session forgets it; the vault keeps it
        $minted
    }

    # The module's cross-process lock for a vault entry (named as in CrossProcessLock.PathFor).
    function Test-VaultLockHeld([string] $Name, [string] $Vault = 'Ops') {
        $key = [Text.Encoding]::UTF8.GetBytes($Vault.ToUpperInvariant() + "`n" + $Name.ToUpperInvariant())
        $hash = ([BitConverter]::ToString([Security.Cryptography.SHA256]::Create().ComputeHash($key)) -replace '-').Substring(0, 32).ToLowerInvariant()
        $path = Join-Path ([IO.Path]::GetTempPath()) "TSheets.Auth/locks/$hash.lock"
        if (-not (Test-Path -LiteralPath $path)) { return $false }
        try { [IO.FileStream]::new($path, 'Open', 'ReadWrite', 'None').Dispose(); $false } catch [IO.IOException] { $true }
    }

    function Wait-VaultLockHeld([string] $Name) {
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (-not (Test-VaultLockHeld $Name)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "No process took the lock for '$Name'." }
            Start-Sleep -Milliseconds 25
        }
    }

    function Invoke-VaultPwsh([string] $Script) {
        $result = Invoke-FreshPwsh $Script
        $result.Output -join "`n"
    }
}

AfterAll {
    Remove-SecretManagementStandIn
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'Connections kept in a SecretManagement vault' {
    BeforeEach {
        Reset-Emulator $emulator
        Set-StandInVaultState -StandIn $standIn
        $client = New-EmulatorClient $emulator
        $name = New-ConnectionName
        $common = @{ ClientId = $client.ClientId; ClientSecret = $client.ClientSecret; BaseUri = $emulator.BaseUri; Name = $name }
        function Get-Code {
            $request = New-TSheetsAuthorizationUrl -ClientId $client.ClientId -RedirectUri $client.RedirectUri -BaseUri $emulator.BaseUri
            ([uri](Approve-Authorization $emulator $request.Url)).Query -replace '.*code=([^&]+).*', '$1'
        }
    }

    It 'saves a new sign-in as one small versioned secret named TSheets.Auth.<Name>' {
        $token = Connect-TSheets @common -RedirectUri $client.RedirectUri -AuthorizationCode (Get-Code) -Vault Ops -PassThru -InformationVariable info
        $token.Vault | Should -Be 'Ops'
        "$info" | Should -Match "Saved in vault 'Ops'"
        $stored = Get-StoredDocument $name
        $stored.Document.version | Should -Be 1
        $stored.Document.access_token | Should -BeExactly ($token.AccessToken | ConvertFrom-TestSecureString)
        $stored.Document.client_id | Should -Be $client.ClientId
        $stored.Document.user_id | Should -Be '12345'
        $stored.Document.client_url | Should -Be 'acmeco'
        $stored.Document.base_uri | Should -Be "$($emulator.BaseUri)"
        [Text.Encoding]::UTF8.GetByteCount($stored.Text) | Should -BeLessThan 2048
        (Microsoft.PowerShell.SecretManagement\Get-SecretInfo -Name "TSheets.Auth.$name" -Vault Ops).Type | Should -Be 'SecureString'
    }

    It 'loads the connection in a fresh process without a request to TSheets' {
        Connect-TSheets @common -RedirectUri $client.RedirectUri -AuthorizationCode (Get-Code) -Vault Ops
        $before = (Get-EmulatorStats $emulator).grants.total
        $text = Invoke-VaultPwsh "(Get-TSheetsToken -Name '$name' -Vault Ops).UserId; (Get-TSheetsToken -Name '$name').Vault"
        $text | Should -Match '(?m)^12345$'
        $text | Should -Match '(?m)^Ops$'
        (Get-EmulatorStats $emulator).grants.total | Should -Be $before
    }

    It 'refreshes in one process, writes the rotated pair back, and the next process uses it without refreshing' {
        $minted = Set-ExpiringVaultToken $name $client
        $first = Invoke-VaultPwsh "Get-TSheetsToken -Name '$name' -Vault Ops -AsPlainText"
        $first | Should -Match '^S\.7__'
        $first | Should -Not -Be $minted.access_token
        (Get-StoredDocument $name).Document.access_token | Should -BeExactly $first
        (Get-StoredDocument $name).Document.refresh_token | Should -Not -Be $minted.refresh_token
        $second = Invoke-VaultPwsh "Get-TSheetsToken -Name '$name' -Vault Ops -AsPlainText"
        $second | Should -BeExactly $first
        (Get-EmulatorStats $emulator).grants.total | Should -Be 1
    }

    It 'lets six processes refresh an expiring token with one /grant call, all getting the same token' {
        Set-ExpiringVaultToken $name $client | Out-Null
        $sessions = 1..6 | ForEach-Object { Start-PwshProcess "Get-TSheetsToken -Name '$name' -Vault Ops -AsPlainText" }
        $tokens = $sessions | ForEach-Object { (Wait-PwshProcess $_).Output.Trim() }
        $tokens | ForEach-Object { $_ | Should -Match '^S\.7__[0-9a-f]{40}$' }
        @($tokens | Sort-Object -Unique).Count | Should -Be 1
        (Get-EmulatorStats $emulator).grants.total | Should -Be 1
        (Get-StoredDocument $name).Document.access_token | Should -BeExactly $tokens[0]
    }

    It 'leaves no stale lock when a process is killed in the middle of a refresh' {
        Set-ExpiringVaultToken $name $client | Out-Null
        Add-EmulatorFault $emulator @{ path = '/api/v1/grant'; hang = $true }
        $stuck = Start-PwshProcess "Get-TSheetsToken -Name '$name' -Vault Ops -AsPlainText"
        Wait-VaultLockHeld $name
        Start-Sleep -Milliseconds 1000   # the vault re-read, then the request that never returns
        $stuck.Process.Kill()
        $stuck.Process.WaitForExit()
        Test-VaultLockHeld $name | Should -BeFalse
        $text = Invoke-VaultPwsh "`$w = [Diagnostics.Stopwatch]::StartNew(); Get-TSheetsToken -Name '$name' -Vault Ops -AsPlainText; 'ELAPSED ' + `$w.ElapsedMilliseconds"
        $text | Should -Match '(?m)^S\.7__[0-9a-f]{40}$'
        [int]([regex]::Match($text, 'ELAPSED (\d+)').Groups[1].Value) | Should -BeLessThan 15000
        (Get-EmulatorStats $emulator).grants.refresh_token | Should -Be 1
    }

    It 'adopts a pair that another machine rotated and stored, instead of failing on invalid_grant' {
        $minted = Set-ExpiringVaultToken $name $client
        # This process's refresh reaches TSheets late; meanwhile "another machine" rotates the
        # pair with the same refresh token and stores the new one in the shared vault.
        Add-EmulatorFault $emulator @{ path = '/api/v1/grant'; delay_ms = 5000 }
        $late = Start-PwshProcess "Get-TSheetsToken -Name '$name' -Vault Ops -AsPlainText"
        Wait-VaultLockHeld $name
        Start-Sleep -Milliseconds 1500   # its request is now held by the emulator
        $form = "grant_type=refresh_token&client_id=$($client.ClientId)&client_secret=$($client.PlainSecret)&refresh_token=$($minted.refresh_token)"
        $rotated = Invoke-RestMethod -Method Post -Uri "$($emulator.BaseUri)/grant" -Body $form -ContentType 'application/x-www-form-urlencoded'
        $document = (Get-StoredDocument $name).Document
        $document.access_token = $rotated.access_token
        $document.refresh_token = $rotated.refresh_token
        $document.expires_on = [DateTimeOffset]::UtcNow.AddSeconds($rotated.expires_in).ToString('o')
        Microsoft.PowerShell.SecretManagement\Set-Secret -Name "TSheets.Auth.$name" -Vault Ops -SecureStringSecret ($document | ConvertTo-Json -Compress | ConvertTo-TestSecureString)

        $result = Wait-PwshProcess $late
        $result.Output.Trim() | Should -BeExactly $rotated.access_token -Because $result.Errors
        (Get-StoredDocument $name).Document.refresh_token | Should -BeExactly $rotated.refresh_token
    }

    It 'persists a session token piped from Get-TSheetsToken' {
        Set-TSheetsToken -Name $name -AccessToken ('S.7__piped' | ConvertTo-TestSecureString)
        Get-TSheetsToken -Name $name | Set-TSheetsToken -Vault Other
        (Get-StoredDocument $name -Vault Other).Document.access_token | Should -BeExactly 'S.7__piped'
        (Get-TSheetsToken -Name $name).Vault | Should -Be 'Other'
    }

    Context 'vault failures' {
        It 'reports an unknown vault as VaultNotFound and keeps the new token in the session' {
            $err = { Connect-TSheets @common -RedirectUri $client.RedirectUri -AuthorizationCode (Get-Code) -Vault Nope } |
                Should -Throw -ErrorId 'VaultNotFound,TSheets.Auth.Commands.ConnectTSheetsCommand' -PassThru
            $err.Exception.Message | Should -Match "is in this session but was not saved in vault 'Nope'"
            (Get-TSheetsToken -Name $name).UserId | Should -Be '12345'
        }

        It 'reports a failing vault as VaultError with the vault''s own message, and keeps the token in the session' {
            Set-StandInVaultState -StandIn $standIn -Failing @{ Ops = 'the disk is on fire' }
            $err = { Set-TSheetsToken -Name $name -AccessToken ('S.7__kept' | ConvertTo-TestSecureString) -Vault Ops } |
                Should -Throw -ErrorId 'VaultError,TSheets.Auth.Commands.SetTSheetsTokenCommand' -PassThru
            $err.Exception.Message | Should -Match 'the disk is on fire'
            $err.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            Get-TSheetsToken -Name $name -AsPlainText | Should -BeExactly 'S.7__kept'
        }

        It 'reports a locked vault as VaultError saying how to unlock it' {
            Set-StandInVaultState -StandIn $standIn -Locked Ops
            $err = { Connect-TSheets @common -RedirectUri $client.RedirectUri -AuthorizationCode (Get-Code) -Vault Ops } |
                Should -Throw -ErrorId 'VaultError,TSheets.Auth.Commands.ConnectTSheetsCommand' -PassThru
            $err.Exception.Message | Should -Match 'Unlock-SecretStore'
            (Get-TSheetsToken -Name $name).UserId | Should -Be '12345'
        }

        It 'returns a refreshed token and reports VaultError when the rotated pair cannot be written back' {
            Set-ExpiringVaultToken $name $client | Out-Null
            Get-TSheetsToken -Name $name -Vault Ops -NoRefresh | Out-Null
            Set-StandInVaultState -StandIn $standIn -Failing @{ Ops = 'write refused' }
            $token = Get-TSheetsToken -Name $name -ForceRefresh -ErrorVariable errors -ErrorAction SilentlyContinue
            $token.UserId | Should -Be '12345'
            $errors[0].FullyQualifiedErrorId | Should -Be 'VaultError,TSheets.Auth.Commands.GetTSheetsTokenCommand'
            $errors[0].Exception.Message | Should -Match 'write refused'
            Get-TSheetsToken -Name $name -AsPlainText | Should -BeExactly ($token.AccessToken | ConvertFrom-TestSecureString)
        }

        It 'reports a missing connection in the vault as TokenNotFound' {
            { Get-TSheetsToken -Name $name -Vault Ops -ErrorAction Stop } |
                Should -Throw -ErrorId 'TokenNotFound,TSheets.Auth.Commands.GetTSheetsTokenCommand'
        }

        It 'reports a document from a newer module and does not overwrite it' {
            $newer = '{"version":99,"something":"new"}'
            Microsoft.PowerShell.SecretManagement\Set-Secret -Name "TSheets.Auth.$name" -Vault Ops -SecureStringSecret ($newer | ConvertTo-TestSecureString)
            { Get-TSheetsToken -Name $name -Vault Ops -ErrorAction Stop } |
                Should -Throw -ErrorId 'VaultError,TSheets.Auth.Commands.GetTSheetsTokenCommand'
            { Set-TSheetsToken -Name $name -AccessToken ('S.7__x' | ConvertTo-TestSecureString) -Vault Ops } |
                Should -Throw -ErrorId 'VaultError,TSheets.Auth.Commands.SetTSheetsTokenCommand'
            (Get-StoredDocument $name).Text | Should -BeExactly $newer
        }

        It 'reports a corrupt document, and replaces it only when told to store a new token (with a warning)' {
            Microsoft.PowerShell.SecretManagement\Set-Secret -Name "TSheets.Auth.$name" -Vault Ops -SecureStringSecret ('not json' | ConvertTo-TestSecureString)
            $err = { Get-TSheetsToken -Name $name -Vault Ops -ErrorAction Stop } |
                Should -Throw -ErrorId 'VaultError,TSheets.Auth.Commands.GetTSheetsTokenCommand' -PassThru
            $err.Exception.Message | Should -Match 'corrupt'
            Set-TSheetsToken -Name $name -AccessToken ('S.7__fixed' | ConvertTo-TestSecureString) -Vault Ops -WarningVariable warnings -WarningAction SilentlyContinue
            "$warnings" | Should -Match 'Replaced the secret'
            (Get-StoredDocument $name).Document.access_token | Should -BeExactly 'S.7__fixed'
        }
    }

    Context 'Disconnect-TSheets' {
        BeforeEach {
            Set-TSheetsToken -Name $name -AccessToken ('S.7__bye' | ConvertTo-TestSecureString) -Vault Ops
        }

        It 'removes the session entry only, without -Vault' {
            Disconnect-TSheets -Name $name
            Get-TSheetsToken -Name $name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Get-TSheetsToken -Name $name -Vault Ops -AsPlainText | Should -BeExactly 'S.7__bye'
        }

        It 'removes the secret too with -Vault, and says where to revoke the token' {
            Disconnect-TSheets -Name $name -Vault Ops -Verbose 4>&1 | Out-String | Should -Match 'no way to revoke.*QuickBooks Time'
            Get-TSheetsToken -Name $name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Microsoft.PowerShell.SecretManagement\Get-SecretInfo -Name "TSheets.Auth.$name" -Vault Ops | Should -BeNullOrEmpty
        }

        It 'changes nothing with -WhatIf' {
            Disconnect-TSheets -Name $name -Vault Ops -WhatIf
            Get-TSheetsToken -Name $name -AsPlainText | Should -BeExactly 'S.7__bye'
            Microsoft.PowerShell.SecretManagement\Get-SecretInfo -Name "TSheets.Auth.$name" -Vault Ops | Should -Not -BeNullOrEmpty
        }

        It 'accepts wildcards, in the session and the vault' {
            Set-TSheetsToken -Name "$name-2" -AccessToken ('S.7__two' | ConvertTo-TestSecureString) -Vault Ops
            Disconnect-TSheets -Name "$name*" -Vault Ops
            Get-TSheetsToken -Name "$name*" | Should -BeNullOrEmpty
            Microsoft.PowerShell.SecretManagement\Get-SecretInfo -Name "TSheets.Auth.$name*" -Vault Ops | Should -BeNullOrEmpty
        }

        It 'reports a connection that does not exist as TokenNotFound' {
            { Disconnect-TSheets -Name "$name-none" -ErrorAction Stop } |
                Should -Throw -ErrorId 'TokenNotFound,TSheets.Auth.Commands.DisconnectTSheetsCommand'
        }
    }
}

Describe 'Without SecretManagement installed' {
    It 'imports and works in the session, and reports -Vault as SecretManagementNotInstalled with the install command' {
        Remove-SecretManagementStandIn
        try {
            $text = Invoke-VaultPwsh @"
Set-TSheetsToken -Name plain -AccessToken (ConvertTo-SecureString 'S.7__plain' -AsPlainText -Force)
'SESSION ' + (Get-TSheetsToken -Name plain -AsPlainText)
try { Set-TSheetsToken -Name plain -AccessToken (ConvertTo-SecureString 'S.7__plain' -AsPlainText -Force) -Vault Ops }
catch { 'ERRORID ' + `$_.FullyQualifiedErrorId; 'MESSAGE ' + `$_.Exception.Message }
'STILL ' + (Get-TSheetsToken -Name plain -AsPlainText)
'LOADED ' + [bool](Get-Module Microsoft.PowerShell.SecretManagement)
"@
            $text | Should -Match 'SESSION S\.7__plain'
            $text | Should -Match 'ERRORID SecretManagementNotInstalled,TSheets.Auth.Commands.SetTSheetsTokenCommand'
            $text | Should -Match 'MESSAGE .*Install-PSResource Microsoft.PowerShell.SecretManagement'
            $text | Should -Match 'STILL S\.7__plain'
            $text | Should -Match 'LOADED False'
        }
        finally {
            $env:PSModulePath = (Join-Path $TestDrive 'Modules') + [IO.Path]::PathSeparator + $env:PSModulePath
        }
    }
}
