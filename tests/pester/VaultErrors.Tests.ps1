# What goes wrong with vaults, each with its error ID, and nothing lost: the token stays in the session.
# Against the real SecretManagement and SecretStore (VaultHelpers.psm1); without them the vault tests
# fail, saying how to get them, and only 'Without SecretManagement installed' runs.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'VaultHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $emulator = Start-TSheetsEmulator

    function Set-StoredText([string] $Name, [string] $Text, [string] $Vault = 'Ops') {
        Microsoft.PowerShell.SecretManagement\Set-Secret -Name "TSheets.Auth.$Name" -Vault $Vault -SecureStringSecret ($Text | ConvertTo-TestSecureString)
    }
}

AfterAll {
    Set-FlakyVault   # nothing to do when no vault was set up
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'Vault failures (the real SecretStore)' {
    BeforeAll {
        Initialize-TestVault | Out-Null
    }

    BeforeEach {
        Reset-Emulator $emulator
        Set-FlakyVault
        $client = New-EmulatorClient $emulator
        $name = New-ConnectionName
        $request = New-TSheetsAuthorizationUrl -ClientId $client.ClientId -RedirectUri $client.RedirectUri -BaseUri $emulator.BaseUri
        $signIn = @{
            ClientId = $client.ClientId; ClientSecret = $client.ClientSecret; BaseUri = $emulator.BaseUri; Name = $name; RedirectUri = $client.RedirectUri
            AuthorizationCode = ([uri](Approve-Authorization $emulator $request.Url)).Query -replace '.*code=([^&]+).*', '$1'; CodeVerifier = $request.CodeVerifier
        }
    }

    It 'reports an unknown vault as VaultNotFound and keeps the new token in the session' {
        $err = { Connect-TSheets @signIn -Vault Nope } | Should -Throw -ErrorId 'VaultNotFound,TSheets.Auth.Commands.ConnectTSheetsCommand' -PassThru
        $err.Exception.Message | Should -Match "is in this session but was not saved in vault 'Nope'"
        (Get-TSheetsToken -Name $name).UserId | Should -Be '12345'
    }

    It 'reports a failing vault as VaultError with the vault''s own message, and keeps the token in the session' {
        Set-FlakyVault -FailSet -1 -Message 'the disk is on fire'
        $err = { Set-TSheetsToken -Name $name -AccessToken ('S.7__kept' | ConvertTo-TestSecureString) -Vault Flaky } |
            Should -Throw -ErrorId 'VaultError,TSheets.Auth.Commands.SetTSheetsTokenCommand' -PassThru
        $err.Exception.Message | Should -Match 'the disk is on fire'
        $err.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        Get-TSheetsToken -Name $name -AsPlainText | Should -BeExactly 'S.7__kept'
    }

    It 'reports a locked SecretStore at once as VaultError with the vault''s own message, never prompting' {
        # A store of its own, with a password: a new process starts locked.
        $lockedHome = Join-Path $TestDrive "locked-$name"
        foreach ($folder in '.config', '.local/share', '.cache') { New-Item -ItemType Directory -Path (Join-Path $lockedHome $folder) -Force | Out-Null }
        $environment = @{ HOME = $lockedHome; USERPROFILE = $lockedHome; LOCALAPPDATA = (Join-Path $lockedHome '.local/share') }
        $setup = Invoke-FreshPwsh -Environment $environment @"
`$password = ConvertTo-SecureString 'p@ss-$name' -AsPlainText -Force
Microsoft.PowerShell.SecretStore\Reset-SecretStore -Scope CurrentUser -Authentication Password -Password `$password -PasswordTimeout 900 -Interaction None -Force -Confirm:`$false -WarningAction SilentlyContinue
Microsoft.PowerShell.SecretManagement\Register-SecretVault -Name Locked -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
Set-TSheetsToken -Name '$name' -AccessToken (ConvertTo-SecureString 'S.7__locked' -AsPlainText -Force) -Vault Locked
'STORED'
"@
        $setup.Output | Should -Contain 'STORED'
        # SecretManagement's own first call to the locked vault first (it loads the vault's runspace, seconds
        # on a busy machine): the bound is for the module's answer, which a prompt or a wait would exceed.
        $warm = "try { Microsoft.PowerShell.SecretManagement\Get-SecretInfo -Vault Locked -ErrorAction Stop | Out-Null } catch { }; "
        $result = Invoke-FreshPwsh -Environment $environment "$warm`$w = [Diagnostics.Stopwatch]::StartNew(); try { Get-TSheetsToken -Name '$name' -Vault Locked -ErrorAction Stop } catch { 'ERRORID ' + `$_.FullyQualifiedErrorId; 'MESSAGE ' + `$_.Exception.Message }; 'ELAPSED ' + `$w.ElapsedMilliseconds"
        $text = $result.Output -join "`n"
        $text | Should -Match 'ERRORID VaultError,TSheets.Auth.Commands.GetTSheetsTokenCommand'
        $text | Should -Match 'MESSAGE .*password is required.*Unlock-SecretStore'
        [int]([regex]::Match($text, 'ELAPSED (\d+)').Groups[1].Value) | Should -BeLessThan 2000
    }

    It 'gives up on a vault call that hangs where no stop reaches it with VaultError, and the next call fails at once too' {
        Set-TSheetsToken -Name $name -AccessToken ('S.7__hung' | ConvertTo-TestSecureString) -Vault Flaky
        Set-FlakyVault -HangGet 30
        # SecretManagement runs extension vaults in one runspace of its own per process, which the
        # hung call keeps busy: until it returns, the vault refuses other calls (it never queues them).
        # The module reads its vault call timeout when it is built: a test knob (docs/architecture.md).
        $result = Invoke-FreshPwsh -Environment @{ TSHEETS_AUTH_VAULT_CALL_TIMEOUT_SEC = '3' } @"
foreach (`$try in 1, 2) {
    `$w = [Diagnostics.Stopwatch]::StartNew()
    try { Get-TSheetsToken -Name '$name' -Vault Flaky -ErrorAction Stop } catch { "ERRORID`$try " + `$_.FullyQualifiedErrorId; "MESSAGE`$try " + `$_.Exception.Message }
    "ELAPSED`$try " + `$w.ElapsedMilliseconds
}
"@
        $text = $result.Output -join "`n"
        $text | Should -Match 'ERRORID1 VaultError,TSheets.Auth.Commands.GetTSheetsTokenCommand'
        $text | Should -Match 'MESSAGE1 .*Get-Secret did not finish within 3 seconds'
        $text | Should -Match 'ERRORID2 VaultError,TSheets.Auth.Commands.GetTSheetsTokenCommand'
        # Waiting for the hung call would take its whole 30 s.
        foreach ($try in 1, 2) { [int]([regex]::Match($text, "ELAPSED$try (\d+)").Groups[1].Value) | Should -BeLessThan 20000 }
    }

    It 'changes nothing in a SecretStore whose store lock another process holds: VaultError once the wait is over, the token kept in the session' {
        # The store lock's wait is read when the module is built (a test knob); the lock file's path is the module's documented layout.
        $lockFile = Get-VaultLockPath -Name ([string][char]1 + 'store') -Vault 'Ops'
        $result = Invoke-FreshPwsh -Environment @{ TSHEETS_AUTH_STORE_LOCK_TIMEOUT_SEC = '2' } @"
# Held as another process would: opened exclusively.
`$null = New-Item -ItemType Directory -Path '$(Split-Path $lockFile)' -Force
`$held = [IO.File]::Open('$lockFile', 'OpenOrCreate', 'ReadWrite', 'None')
try { Set-TSheetsToken -Name '$name' -AccessToken (ConvertTo-SecureString 'S.7__locked-out' -AsPlainText -Force) -Vault Ops -ErrorAction Stop; 'STORED' }
catch { 'ERRORID ' + `$_.FullyQualifiedErrorId; 'MESSAGE ' + `$_.Exception.Message }
finally { `$held.Dispose() }
'SESSION ' + (Get-TSheetsToken -Name '$name' -AsPlainText)
"@
        $text = $result.Output -join "`n"
        $text | Should -Not -Match 'STORED'
        $text | Should -Match 'ERRORID VaultError,TSheets.Auth.Commands.SetTSheetsTokenCommand'
        $text | Should -Match "MESSAGE .*is in this session but was not saved in vault 'Ops': The vault 'Ops' was not changed: another TSheets.Auth process or runspace held its store lock for over 2 seconds"
        $text | Should -Match 'SESSION S\.7__locked-out'
        (Get-VaultSecretName -Pattern "TSheets.Auth.$name") | Should -BeNullOrEmpty
    }

    It 'reports a missing connection in the vault as TokenNotFound' {
        $err = { Get-TSheetsToken -Name $name -Vault Ops -ErrorAction Stop } | Should -Throw -ErrorId 'TokenNotFound,TSheets.Auth.Commands.GetTSheetsTokenCommand' -PassThru
        $err.Exception.Message | Should -Match "in vault 'Ops'"
    }

    It 'reports a document from a newer module and does not overwrite it' {
        $newer = '{"version":99,"something":"new"}'
        Set-StoredText $name $newer
        { Get-TSheetsToken -Name $name -Vault Ops -ErrorAction Stop } | Should -Throw -ErrorId 'VaultError,TSheets.Auth.Commands.GetTSheetsTokenCommand'
        { Set-TSheetsToken -Name $name -AccessToken ('S.7__x' | ConvertTo-TestSecureString) -Vault Ops } | Should -Throw -ErrorId 'VaultError,TSheets.Auth.Commands.SetTSheetsTokenCommand'
        (Read-VaultDocument $name).Text | Should -BeExactly $newer
    }

    It 'reports a corrupt document, and replaces it only when told to store a new token (with a warning)' {
        Set-StoredText $name 'not json'
        $err = { Get-TSheetsToken -Name $name -Vault Ops -ErrorAction Stop } | Should -Throw -ErrorId 'VaultError,TSheets.Auth.Commands.GetTSheetsTokenCommand' -PassThru
        $err.Exception.Message | Should -Match 'corrupt'
        Set-TSheetsToken -Name $name -AccessToken ('S.7__fixed' | ConvertTo-TestSecureString) -Vault Ops -WarningVariable warnings -WarningAction SilentlyContinue
        "$warnings" | Should -Match 'Replaced the secret'
        (Read-VaultDocument $name).Document.access_token | Should -BeExactly 'S.7__fixed'
    }

    It 'stores -ClientAuthentication Basic in a version-2 document that reads back' {
        Connect-TSheets @signIn -ClientAuthentication Basic -Vault Ops
        # One new process reads the stored document, then loads it with the module (-NoRefresh: it writes nothing).
        $next = (Invoke-FreshPwsh "'STORED ' + (Microsoft.PowerShell.SecretManagement\Get-Secret -Name 'TSheets.Auth.$name' -Vault Ops -AsPlainText); 'LOADED ' + (Get-TSheetsToken -Name '$name' -Vault Ops -NoRefresh).ClientAuthentication").Output
        $stored = (($next -like 'STORED *') -replace '^STORED ') | ConvertFrom-Json
        $stored.version | Should -Be 2
        $stored.client_authentication | Should -Be 'Basic'
        $next | Should -Contain 'LOADED Basic'
        (Get-EmulatorStats $emulator).grant_requests[-1].client_auth | Should -Be 'basic'
    }
}

Describe 'Disconnect-TSheets with a vault (the real SecretStore)' {
    BeforeAll {
        Initialize-TestVault | Out-Null
    }

    BeforeEach {
        $name = New-ConnectionName
        Set-TSheetsToken -Name $name -AccessToken ('S.7__bye' | ConvertTo-TestSecureString) -Vault Ops
    }

    It 'removes it from the vault it was saved in too, without -Vault, says so, and forgets it (issue 24)' {
        Disconnect-TSheets -Name $name -InformationVariable said
        "$said" | Should -Match "Removed '$name' from this session and vault 'Ops' \(the secret 'TSheets.Auth.$name'\)"
        # One new process lists the vault, then looks the name up (which only reads).
        $next = Invoke-FreshPwsh "'LISTED ' + @(Microsoft.PowerShell.SecretManagement\Get-SecretInfo -Name 'TSheets.Auth.$name' -Vault Ops).Count; try { Get-TSheetsToken -Name '$name' -ErrorAction Stop } catch { 'ERRORID ' + `$_.FullyQualifiedErrorId; 'MESSAGE ' + `$_.Exception.Message }"
        $next.Output | Should -Contain 'LISTED 0'
        $next.Output | Should -Contain 'ERRORID TokenNotFound,TSheets.Auth.Commands.GetTSheetsTokenCommand'
        ($next.Output -join ' ') | Should -Match 'none was saved in a vault under that name'
    }

    It 'removes the secret too with -Vault, and says where to revoke the token' {
        Disconnect-TSheets -Name $name -Vault Ops -Verbose 4>&1 | Out-String | Should -Match 'no way to revoke.*QuickBooks Time'
        Get-TSheetsToken -Name $name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-VaultSecretName "TSheets.Auth.$name" | Should -BeNullOrEmpty
    }

    It 'changes nothing with -WhatIf' {
        Disconnect-TSheets -Name $name -Vault Ops -WhatIf
        Get-TSheetsToken -Name $name -AsPlainText | Should -BeExactly 'S.7__bye'
        Get-VaultSecretName "TSheets.Auth.$name" | Should -Be "TSheets.Auth.$name"
    }

    It 'accepts wildcards, in the session and the vault (-Force: several vault connections are removed only when asked)' {
        Set-TSheetsToken -Name "$name-2" -AccessToken ('S.7__two' | ConvertTo-TestSecureString) -Vault Ops
        Disconnect-TSheets -Name "$name*" -Vault Ops -Force
        Get-TSheetsToken -Name "$name*" | Should -BeNullOrEmpty
        Get-VaultSecretName "TSheets.Auth.$name*" | Should -BeNullOrEmpty
    }

    It 'reports a connection that does not exist as TokenNotFound' {
        { Disconnect-TSheets -Name "$name-none" -ErrorAction Stop } | Should -Throw -ErrorId 'TokenNotFound,TSheets.Auth.Commands.DisconnectTSheetsCommand'
    }
}

Describe 'Without SecretManagement installed' {
    It 'imports and works in the session, and reports -Vault as SecretManagementNotInstalled with the install command' {
        $bare = ($env:PSModulePath -split [IO.Path]::PathSeparator | Where-Object { -not (Test-Path -LiteralPath (Join-Path $_ 'Microsoft.PowerShell.SecretManagement')) }) -join [IO.Path]::PathSeparator
        $result = Invoke-FreshPwsh -Environment @{ PSModulePath = $bare } @"
Set-TSheetsToken -Name plain -AccessToken (ConvertTo-SecureString 'S.7__plain' -AsPlainText -Force)
'SESSION ' + (Get-TSheetsToken -Name plain -AsPlainText)
try { Set-TSheetsToken -Name plain -AccessToken (ConvertTo-SecureString 'S.7__plain' -AsPlainText -Force) -Vault Ops }
catch { 'ERRORID ' + `$_.FullyQualifiedErrorId; 'MESSAGE ' + `$_.Exception.Message }
'STILL ' + (Get-TSheetsToken -Name plain -AsPlainText)
'LOADED ' + [bool](Get-Module Microsoft.PowerShell.SecretManagement)
"@
        $text = $result.Output -join "`n"
        $text | Should -Match 'SESSION S\.7__plain'
        $text | Should -Match 'ERRORID SecretManagementNotInstalled,TSheets.Auth.Commands.SetTSheetsTokenCommand'
        $text | Should -Match 'MESSAGE .*Install-PSResource Microsoft.PowerShell.SecretManagement'
        $text | Should -Match 'STILL S\.7__plain'
        $text | Should -Match 'LOADED False'
    }
}
