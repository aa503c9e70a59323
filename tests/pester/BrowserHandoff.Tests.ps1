# Issue 25, finding 3: the authorization URL (state and PKCE challenge in it) never reaches a
# command line, where every local user can read it (/proc/*/cmdline) and race the listener with a
# code of their own. The browser is handed a 0600 page in a 0700 folder that redirects to the URL,
# removed when the sign-in ends however it ends; the URL itself is printed on the terminal only.
# Each case signs in from a pwsh in a real terminal (tmux) started under umask 000, with BROWSER set
# to tests/ScriptedBrowser.ps1, which reads the page as a browser would and looks at every
# process's command line while the sign-in waits.
BeforeDiscovery {
    $unix = -not $IsWindows
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TerminalHelpers.psm1') -Force
    if (-not $IsWindows) { $emulator = Start-TSheetsEmulator }

    # Starts Connect-TSheets with the scripted browser; returns the terminal and the browser's log.
    function Start-SignIn([string] $Decision, [int] $TimeoutSec) {
        $port = Get-FreePort
        $client = New-EmulatorClient $emulator -RedirectUri "http://127.0.0.1:$port/callback"
        $log = Join-Path $TestDrive "browser-$port.log"
        $browser = "`"$(Get-PwshPath)`" -NoProfile -NonInteractive -File `"$(Join-Path $PSScriptRoot '../ScriptedBrowser.ps1')`""
        $terminal = Start-TmuxPwsh -Umask '000' @"
Remove-Item Env:DISPLAY, Env:WAYLAND_DISPLAY, Env:SSH_CONNECTION, Env:SSH_TTY -ErrorAction Ignore
`$env:BROWSER = '$($browser -replace "'", "''")'
`$env:TSHEETS_TEST_EMULATOR = '$($emulator.Url)'
`$env:TSHEETS_TEST_BROWSER_LOG = '$log'
`$env:TSHEETS_TEST_BROWSER_DECISION = '$Decision'
`$env:TSHEETS_TEST_BROWSER_SCAN = '1'
`$secret = ConvertTo-SecureString '$($client.PlainSecret)' -AsPlainText -Force
try { Connect-TSheets -ClientId '$($client.ClientId)' -ClientSecret `$secret -RedirectUri '$($client.RedirectUri)' -BaseUri '$($emulator.BaseUri)' -TimeoutSec $TimeoutSec; 'USER ' + (Get-TSheetsToken).UserId }
catch { 'ERRORID ' + `$_.FullyQualifiedErrorId }
finally { 'SIGN-IN OVER' }
"@
        [pscustomobject]@{ Terminal = $terminal; Log = $log; Port = $port }
    }

    # Waits for the browser's log to hold a line matching the pattern; returns the whole log.
    function Wait-BrowserLog([string] $Log, [string] $Pattern, [int] $TimeoutSec = 60) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        while ([DateTime]::UtcNow -lt $deadline) {
            $lines = @(if (Test-Path -LiteralPath $Log) { Get-Content -LiteralPath $Log })
            if ($lines -match $Pattern) { return $lines }
            Start-Sleep -Milliseconds 100
        }
        throw "The browser's log did not show '$Pattern' within $TimeoutSec s: $($lines -join ' | ')"
    }

    function Get-PagePath([string[]] $Lines) { ($Lines -match '^handed a page ' | Select-Object -First 1) -replace '^handed a page ', '' }
}

AfterAll {
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'The authorization URL never on a command line (issue 25, finding 3)' -Skip:(-not $unix) {
    BeforeEach {
        Reset-Emulator $emulator
    }

    It 'hands the browser a 0600 page in a 0700 folder (under umask 000), no command line holds the state, the URL is on the terminal, and the page is gone afterwards' {
        $run = Start-SignIn -Decision approve -TimeoutSec 120
        try {
            Wait-TmuxText $run.Terminal 'USER 12345|ERRORID \S+' -TimeoutSec 150 | ForEach-Object Value | Should -Be 'USER 12345'
            $screen = Get-TmuxScreen $run.Terminal
            # The browser runs in the terminal's session: let it finish before the session is closed.
            $seen = Wait-BrowserLog $run.Log '^done$'
        }
        finally { Stop-TmuxPwsh $run.Terminal }
        ($seen -join "`n") | Should -Match '(?m)^command lines holding the state: 0 ?$'
        ($seen -join "`n") | Should -Match '(?m)^command lines holding the code_challenge: 0 ?$'
        $page = Get-PagePath $seen
        $page | Should -Not -BeNullOrEmpty -Because ($seen -join ' | ')
        $seen | Should -Contain 'page mode 600 folder mode 700'
        $seen | Should -Contain 'the page links the address too'
        $seen | Should -Contain 'status 200'
        $screen | Should -Match 'Sign in to TSheets and allow access: http://127\.0\.0\.1:\d+/api/v1/authorize\?\S*state=\S+'
        Test-Path -LiteralPath $page | Should -BeFalse
        Test-Path -LiteralPath (Split-Path -Parent $page) | Should -BeFalse
        (Get-EmulatorStats $emulator).grants.authorization_code | Should -Be 1
    }

    It 'removes the page when the sign-in times out' {
        $run = Start-SignIn -Decision none -TimeoutSec 3
        try {
            Wait-TmuxText $run.Terminal 'ERRORID \S+' -TimeoutSec 60 | ForEach-Object Value | Should -Be 'ERRORID AuthorizationTimedOut,TSheets.Auth.Commands.ConnectTSheetsCommand'
            # On a busy machine the browser may start after the 3 s are over (it then finds the page
            # gone and says so): wait for it before closing the terminal's session, which ends it.
            $page = Get-PagePath (Wait-BrowserLog $run.Log '^done$')
        }
        finally { Stop-TmuxPwsh $run.Terminal }
        $page | Should -Not -BeNullOrEmpty
        Test-Path -LiteralPath $page | Should -BeFalse
        Test-Path -LiteralPath (Split-Path -Parent $page) | Should -BeFalse
    }

    It 'removes the page when Ctrl+C stops the sign-in' {
        $run = Start-SignIn -Decision none -TimeoutSec 120
        try {
            $page = Get-PagePath (Wait-BrowserLog $run.Log '^done$')
            $page | Should -Not -BeNullOrEmpty
            Send-TmuxInterrupt $run.Terminal
            # Ctrl+C stops the script, and pwsh with it (a -Command script has no prompt to return to).
            Wait-TmuxText $run.Terminal 'PWSH-EXITED' | Out-Null
        }
        finally { Stop-TmuxPwsh $run.Terminal }
        Test-Path -LiteralPath $page | Should -BeFalse
        Test-Path -LiteralPath (Split-Path -Parent $page) | Should -BeFalse
        Test-PortFree $run.Port | Should -BeTrue
    }
}
