# The interactive sign-in end to end, each in a real terminal (tmux) where a person could answer.
# The Pester process itself cannot be that place: its standard input is redirected (CI, build.ps1),
# so an interactive Connect-TSheets in it fails with InteractionRequired, as it must
# (Automation.Tests.ps1 proves that for every such context). The listener's edge cases (a forged
# state, a denial, a port in use, junk requests, a browser that cannot start) are xunit tests of
# the listener and the flow in tests/TSheets.Auth.Core.Tests.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TerminalHelpers.psm1') -Force
    if (-not $IsWindows) { $emulator = Start-TSheetsEmulator }
    $noTerminal = 'these tests type into a tmux terminal, which Windows does not have'

    # The first lines of every terminal's script: the environment is set here, not inherited from
    # whatever the tmux server had when it started.
    function Get-TerminalPrelude([string] $Browser, [string] $PathFirst) {
        $lines = @('Remove-Item Env:BROWSER, Env:DISPLAY, Env:WAYLAND_DISPLAY, Env:SSH_CONNECTION, Env:SSH_TTY -ErrorAction Ignore')
        if ($Browser) { $lines += "`$env:BROWSER = '$($Browser -replace "'", "''")'" }
        if ($PathFirst) { $lines += "`$env:PATH = '$PathFirst' + [IO.Path]::PathSeparator + `$env:PATH" }
        $lines -join "`n"
    }

    # Opens the URL as a person on another computer would: allow, then follow the redirect to the listener.
    function Open-Elsewhere([string] $Url) {
        $location = Approve-Authorization $emulator $Url
        Invoke-WebRequest -Uri $location -SkipHttpErrorCheck -TimeoutSec 30
    }
}

AfterAll {
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'Connect-TSheets with an https redirect URI (paste-back, in a terminal)' {
    BeforeEach {
        if ($IsWindows) { return }
        Reset-Emulator $emulator
        $client = New-EmulatorClient $emulator -RedirectUri 'https://app.example/callback'
        $terminal = Start-TmuxPwsh @"
$(Get-TerminalPrelude)
`$secret = ConvertTo-SecureString '$($client.PlainSecret)' -AsPlainText -Force
try {
    Connect-TSheets -ClientId '$($client.ClientId)' -ClientSecret `$secret -RedirectUri '$($client.RedirectUri)' -BaseUri '$($emulator.BaseUri)' -NoBrowser
    'COMPANY ' + (Get-TSheetsToken).CompanyId
}
catch { 'ERRORID ' + `$_.FullyQualifiedErrorId }
"@
    }

    AfterEach {
        if (-not $IsWindows) { Stop-TmuxPwsh $terminal }
    }

    It 'asks for the address the browser landed on, hides it, and exchanges it at once' {
        if ($IsWindows) { Set-ItResult -Skipped -Because $noTerminal; return }
        $url = (Wait-TmuxText $terminal 'allow access: (\S+)').Groups[1].Value
        Wait-TmuxText $terminal 'paste it here at once: the code in it expires in about 30 seconds\.\s+Address \(hidden\):' | Out-Null
        Send-TmuxLine $terminal (Approve-Authorization $emulator $url)
        Wait-TmuxText $terminal 'COMPANY 67890' | Out-Null
        $screen = Get-TmuxScreen $terminal
        $screen | Should -Match "Connected 'default' to TSheets as user 12345 of acmeco"
        $screen | Should -Not -Match 'S\.19__'
        $screen | Should -Not -Match 'code='
        (Get-EmulatorStats $emulator).grants.authorization_code | Should -Be 1
    }

    It 'refuses a pasted address whose state does not match, sending nothing' {
        if ($IsWindows) { Set-ItResult -Skipped -Because $noTerminal; return }
        Wait-TmuxText $terminal 'Address \(hidden\):' | Out-Null
        Send-TmuxLine $terminal 'https://app.example/callback?code=S.19__pasted&state=someone-elses'
        Wait-TmuxText $terminal 'ERRORID StateMismatch,TSheets.Auth.Commands.ConnectTSheetsCommand' | Out-Null
        (Get-EmulatorStats $emulator).grants.total | Should -Be 0
    }
}

Describe 'Connect-TSheets with a loopback redirect URI and no browser to open (in a terminal)' {
    BeforeEach {
        $terminal = $null
        if ($IsWindows) { return }
        Reset-Emulator $emulator
        $port = Get-FreePort
        $client = New-EmulatorClient $emulator -RedirectUri "http://127.0.0.1:$port/callback"
        # Openers that only record that they ran: 'browser' for BROWSER, and an xdg-open ahead on PATH.
        $recorder = New-OpenerRecorder (Join-Path $TestDrive "openers-$port")
        $connect = "Connect-TSheets -ClientId '$($client.ClientId)' -ClientSecret `$secret -RedirectUri '$($client.RedirectUri)' -BaseUri '$($emulator.BaseUri)' -TimeoutSec 60"
        function Start-SignIn([string] $Prelude, [string] $Extra) {
            Start-TmuxPwsh @"
$Prelude
`$secret = ConvertTo-SecureString '$($client.PlainSecret)' -AsPlainText -Force
try { $connect $Extra; 'USER ' + (Get-TSheetsToken).UserId }
catch { 'ERRORID ' + `$_.FullyQualifiedErrorId }
"@
        }
    }

    AfterEach {
        if (-not $IsWindows -and $terminal) { Stop-TmuxPwsh $terminal }
    }

    It 'finds no display (no BROWSER, no DISPLAY), prints the URL and the ssh -L hint, opens nothing, and completes when the URL is opened elsewhere' {
        if ($IsWindows) { Set-ItResult -Skipped -Because $noTerminal; return }
        $terminal = Start-SignIn (Get-TerminalPrelude -PathFirst $recorder.Folder)
        $url = (Wait-TmuxText $terminal 'allow access: (\S+)').Groups[1].Value
        Wait-TmuxText $terminal 'No browser is opened here \(there is no display \(neither DISPLAY nor WAYLAND_DISPLAY is set\)\)' | Out-Null
        Wait-TmuxText $terminal "ssh -L $($port):127\.0\.0\.1:$port <this host>" | Out-Null
        Wait-TmuxText $terminal 'Waiting up to 60 seconds' | Out-Null
        $page = Open-Elsewhere $url
        $page.StatusCode | Should -Be 200
        "$($page.Headers['Cache-Control'])" | Should -Match 'no-store'
        $page.Content | Should -Match 'completing the sign-in in PowerShell'
        $page.Content | Should -Not -Match 'S\.19__'
        Wait-TmuxText $terminal 'USER 12345|ERRORID \S+' | ForEach-Object Value | Should -Be 'USER 12345'
        $screen = Get-TmuxScreen $terminal
        $screen | Should -Match "Connected 'default' to TSheets as user 12345"
        $screen | Should -Not -Match 'S\.19__|WARNING'
        Get-OpenerRecord $recorder | Should -BeNullOrEmpty -Because 'no opener may run without a display'
        Test-PortFree $port | Should -BeTrue
    }

    It '-NoBrowser (SSH with a forwarded port) prints the ssh -L hint and never starts the BROWSER it has' {
        if ($IsWindows) { Set-ItResult -Skipped -Because $noTerminal; return }
        $terminal = Start-SignIn (Get-TerminalPrelude -Browser $recorder.Browser -PathFirst $recorder.Folder) '-NoBrowser'
        $url = (Wait-TmuxText $terminal 'allow access: (\S+)').Groups[1].Value
        Wait-TmuxText $terminal "No browser is opened here \(-NoBrowser was given\).*ssh -L $($port):127\.0\.0\.1:$port" | Out-Null
        Wait-TmuxText $terminal 'Waiting up to 60 seconds' | Out-Null
        (Open-Elsewhere $url).StatusCode | Should -Be 200
        Wait-TmuxText $terminal 'USER 12345|ERRORID \S+' | ForEach-Object Value | Should -Be 'USER 12345'
        Get-OpenerRecord $recorder | Should -BeNullOrEmpty -Because '-NoBrowser means no browser, even where one could open'
        Test-PortFree $port | Should -BeTrue
    }
}

Describe 'Connect-TSheets with a real headless Chromium (in a terminal)' {
    It 'is signed in after Chromium clicks Allow on the consent page and lands on the listener' {
        if ($IsWindows) { Set-ItResult -Skipped -Because "$noTerminal (CI runs this on Linux, with Debian's chromium)"; return }
        $tools = Find-ChromiumTool
        $tools.Missing | Should -BeNullOrEmpty -Because ('Chromium is needed here: build.ps1 -Task Test installs Debian''s chromium and chromium-driver; ' +
            'elsewhere install them or set TSHEETS_TEST_CHROMIUM and TSHEETS_TEST_CHROMEDRIVER')
        Reset-Emulator $emulator
        $port = Get-FreePort
        $client = New-EmulatorClient $emulator -RedirectUri "http://localhost:$port/callback"
        $browserLog = Join-Path $TestDrive 'chromium.log'
        $browser = "`"$(Get-PwshPath)`" -NoProfile -NonInteractive -File `"$(Join-Path $PSScriptRoot 'ChromiumBrowser.ps1')`""
        $terminal = Start-TmuxPwsh @"
$(Get-TerminalPrelude -Browser $browser)
`$env:TSHEETS_TEST_BROWSER_LOG = '$browserLog'
`$env:TSHEETS_TEST_CHROMIUM = '$($tools.Chromium)'
`$env:TSHEETS_TEST_CHROMEDRIVER = '$($tools.ChromeDriver)'
`$secret = ConvertTo-SecureString '$($client.PlainSecret)' -AsPlainText -Force
try {
    Connect-TSheets -ClientId '$($client.ClientId)' -ClientSecret `$secret -RedirectUri '$($client.RedirectUri)' -BaseUri '$($emulator.BaseUri)' -TimeoutSec 120
    'USER ' + (Get-TSheetsToken).UserId
}
catch { 'ERRORID ' + `$_.FullyQualifiedErrorId }
"@
        try {
            Wait-TmuxText $terminal 'USER 12345|ERRORID \S+' -TimeoutSec 150 | ForEach-Object Value | Should -Be 'USER 12345'
            $screen = Get-TmuxScreen $terminal
            $screen | Should -Match "Connected 'default' to TSheets as user 12345"
            $screen | Should -Not -Match 'WARNING'
            # The module returns as soon as the callback is in; the browser logs its page a moment
            # later, and must be left to finish: closing the terminal hangs it up too.
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (-not ((Test-Path -LiteralPath $browserLog) -and (Get-Content -LiteralPath $browserLog) -contains 'done') -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 100
            }
        }
        finally { Stop-TmuxPwsh $terminal }

        $seen = Get-Content -LiteralPath $browserLog
        $seen | Should -Contain 'handed a page' -Because 'the module hands over a page, and Chromium follows its meta refresh itself'
        $seen | Should -Contain "landed on http://localhost:$port/callback"
        ($seen -join "`n") | Should -Match 'text Completing the sign-in TSheets.Auth received the authorization and is completing the sign-in in PowerShell'
        ($seen -join "`n") | Should -Not -Match 'error '
        (Get-EmulatorStats $emulator).grants.authorization_code | Should -Be 1
        Test-PortFree $port | Should -BeTrue
    }
}
