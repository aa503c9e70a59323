# Issue 24's walk-through, as a new user meets the module in a real terminal (tmux), every command
# typed at the prompt and every step waited for on the screen: install TSheets.Auth from a local
# PSResourceGet repository, sign in (a browser that clicks Allow, the secret typed at Read-Host) with
# -Vault; then a new window that finds the connection with no -Vault, the status view, every user as
# an object with -All -Items, and Disconnect-TSheets. Against the emulator and the real SecretStore.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'VaultHelpers.psm1') -Force
    $emulator = Start-TSheetsEmulator
    $vaults = $null
    if (-not $IsWindows) { $vaults = Initialize-TestVault }

    # The package, as build.ps1 -Task Package makes it: the laid-out module published to a folder repository.
    $repository = Join-Path $TestDrive 'repository'
    New-Item -ItemType Directory -Path $repository | Out-Null
    $publisher = "TSheetsAuthWalkthrough$PID"
    $savedDirectory = [Environment]::CurrentDirectory
    [Environment]::CurrentDirectory = $TestDrive
    Register-PSResourceRepository -Name $publisher -Uri $repository -Trusted
    try { Publish-PSResource -Path (Get-TestModulePath) -Repository $publisher }
    finally {
        Unregister-PSResourceRepository -Name $publisher
        [Environment]::CurrentDirectory = $savedDirectory
    }

    # What each window starts with: the vault modules where this user has them, no browser but the scripted one.
    $browser = "`"$(Get-PwshPath)`" -NoProfile -NonInteractive -File `"$(Join-Path $PSScriptRoot '../ScriptedBrowser.ps1')`""
    # PSReadLine is taken out: keys typed while it loads (after the first prompt is shown) come to it
    # with the terminal still in line mode, and their Enter then only adds a line. The console's own
    # line editor reads typed lines as a terminal delivers them.
    $windowStart = @"
Remove-Module PSReadLine -ErrorAction Ignore
Remove-Item Env:DISPLAY, Env:WAYLAND_DISPLAY, Env:SSH_CONNECTION, Env:SSH_TTY, Env:TSHEETS_ACCESS_TOKEN -ErrorAction Ignore
`$env:PSModulePath = '$(if ($vaults) { $vaults.ModulesPath })' + [IO.Path]::PathSeparator + `$env:PSModulePath
`$env:BROWSER = '$($browser -replace "'", "''")'
`$env:TSHEETS_TEST_EMULATOR = '$($emulator.Url)'
`$env:TSHEETS_TEST_BROWSER_LOG = '$(Join-Path $TestDrive 'browser.log')'
Set-Location '$TestDrive'
"@
    # $env:HOME, not $HOME: the suite gives this process a throw-away home after PowerShell set $HOME.
    $installed = Join-Path $env:HOME '.local/share/powershell/Modules/TSheets.Auth'

    # Types a line at the prompt once the prompt is there (keys sent before PSReadLine is ready are lost).
    function Send-AtPrompt([string] $Terminal, [string] $Line) {
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (((Get-TmuxScreen $Terminal) -split "`n" | Where-Object { $_.Trim() } | Select-Object -Last 1) -notmatch '^PS .*> ?$') {
            if ([DateTime]::UtcNow -gt $deadline) { throw "No prompt in the terminal within 60 s. It shows:`n$(Get-TmuxScreen $Terminal)" }
            Start-Sleep -Milliseconds 100
        }
        Send-TmuxLine $Terminal $Line
    }
}

AfterAll {
    Unregister-PSResourceRepository -Name Local -ErrorAction Ignore
    Remove-Item -LiteralPath $installed -Recurse -Force -ErrorAction Ignore
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'The first hour, in a real terminal' {
    It 'installs, signs in with -Vault, and a new window finds the connection, shows it, lists users, and disconnects' {
        if ($IsWindows) { Set-ItResult -Skipped -Because 'these tests type into a tmux terminal, which Windows does not have'; return }
        Reset-Emulator $emulator
        $port = Get-FreePort
        $client = New-EmulatorClient $emulator -RedirectUri "http://localhost:$port/callback"
        $name = "first-hour-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
        $first = Start-TmuxPwsh $windowStart -NoImport -KeepOpen
        $second = $null
        try {
            # Install from a local repository, as from the Gallery.
            Send-AtPrompt $first "Register-PSResourceRepository -Name Local -Uri '$repository' -Trusted; Install-PSResource TSheets.Auth -Repository Local; Import-Module TSheets.Auth; 'INSTALLED ' + (Get-Module TSheets.Auth).ModuleBase"
            Wait-TmuxText $first ([regex]::Escape("INSTALLED $installed")) -TimeoutSec 120 | Out-Null

            # Sign in once, with a vault: the secret typed at a hidden prompt, the browser clicks Allow.
            Send-AtPrompt $first "`$secret = Read-Host -AsSecureString 'Client secret'"
            Wait-TmuxText $first 'Client secret:' | Out-Null
            Send-TmuxLine $first $client.PlainSecret
            Send-AtPrompt $first "Connect-TSheets -ClientId '$($client.ClientId)' -ClientSecret `$secret -RedirectUri 'http://localhost:$port/callback' -BaseUri '$($emulator.BaseUri)' -Name $name -Vault Ops"
            Wait-TmuxText $first "Connected '$name' to TSheets as user 12345 of acmeco; the token is valid until .* and refreshes itself\. Saved in vault 'Ops'\." -TimeoutSec 90 | Out-Null
            (Get-TmuxScreen $first) | Should -Not -Match ([regex]::Escape($client.PlainSecret))

            # A new window: the installed module by name, the connection with no -Vault.
            $second = Start-TmuxPwsh $windowStart -NoImport -KeepOpen
            Send-AtPrompt $second "Import-Module TSheets.Auth; 'MODULE ' + (Get-Module TSheets.Auth).ModuleBase; Invoke-TSheetsRestMethod current_user -Name $name -Items | Format-List username, email"
            Wait-TmuxText $second ([regex]::Escape("MODULE $installed")) -TimeoutSec 60 | Out-Null
            Wait-TmuxText $second 'username\s*:\s*admin' -TimeoutSec 60 | Out-Null

            # The status view.
            Send-AtPrompt $second 'Get-TSheetsConnection'
            Wait-TmuxText $second "Name\s+KeptIn\s+User\s+Company\s+TimeLeft\s+CanRefresh\s+Problem" | Out-Null
            Wait-TmuxText $second "$name\s+Vault Ops\s+12345\s+acmeco\s+9d 23h\s+True" | Out-Null

            # Every user, one object each, across every page.
            Send-AtPrompt $second "`$users = Invoke-TSheetsRestMethod users -All -Items -Name $name; 'USERS ' + `$users.Count + ' ACTIVE ' + @(`$users | Where-Object active).Count"
            $counted = Wait-TmuxText $second 'USERS (\d+) ACTIVE (\d+)' -TimeoutSec 60
            $counted.Groups[1].Value | Should -Be '450'
            [int]$counted.Groups[2].Value | Should -BeGreaterThan 0

            # Disconnect: says what it removed, from the vault it was saved in.
            Send-AtPrompt $second "Disconnect-TSheets -Name $name"
            Wait-TmuxText $second ([regex]::Escape("Removed '$name' from this session and vault 'Ops' (the secret 'TSheets.Auth.$name'); new sessions no longer find it.")) | Out-Null
            Send-AtPrompt $second "Get-TSheetsConnection $name"
            Wait-TmuxText $second "There is no TSheets connection named '$name' in this session, and none was saved in a vault under that name" | Out-Null
        }
        finally {
            Stop-TmuxPwsh $first
            if ($second) { Stop-TmuxPwsh $second }
        }
        Get-VaultSecretName "TSheets.Auth.$name" | Should -BeNullOrEmpty
        (Get-EmulatorStats $emulator).grants.authorization_code | Should -Be 1
    }
}
