BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $emulator = Start-TSheetsEmulator
    $scriptedBrowser = "`"$(Get-PwshPath)`" -NoProfile -NonInteractive -File `"$(Join-Path $PSScriptRoot 'ScriptedBrowser.ps1')`""
    $env:TSHEETS_TEST_EMULATOR = $emulator.Url

    # The module returns as soon as the callback is in; the browser logs its page a moment later.
    function Get-BrowserLog([string] $Path) {
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (-not ((Test-Path -LiteralPath $Path) -and (Get-Content -LiteralPath $Path) -contains 'done') -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 100
        }
        Get-Content -LiteralPath $Path
    }

    function Test-PortFree([int] $Port) {
        $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, $Port)
        try { $probe.Start(); $true } catch { $false } finally { $probe.Stop() }
    }
}

AfterAll {
    Remove-Item Env:BROWSER, Env:TSHEETS_TEST_EMULATOR, Env:TSHEETS_TEST_BROWSER_LOG, Env:TSHEETS_TEST_BROWSER_DECISION, Env:TSHEETS_TEST_BROWSER_JUNK -ErrorAction SilentlyContinue
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'Connect-TSheets, interactive, with a loopback redirect URI' {
    BeforeEach {
        Reset-Emulator $emulator
        $port = Get-FreePort
        $name = New-ConnectionName
        $browserLog = Join-Path $TestDrive "browser-$name.log"
        $env:BROWSER = $scriptedBrowser
        $env:TSHEETS_TEST_BROWSER_LOG = $browserLog
        $env:TSHEETS_TEST_BROWSER_DECISION = 'approve'
        Remove-Item Env:TSHEETS_TEST_BROWSER_JUNK -ErrorAction SilentlyContinue
        function Connect-Loopback {
            [CmdletBinding()]
            param([string] $HostName = '127.0.0.1', [int] $TimeoutSec = 60)
            $script:client = New-EmulatorClient $emulator -RedirectUri "http://$($HostName):$port/callback"
            Connect-TSheets -ClientId $client.ClientId -ClientSecret $client.ClientSecret -RedirectUri $client.RedirectUri `
                -BaseUri $emulator.BaseUri -Name $name -TimeoutSec $TimeoutSec -InformationVariable script:info
        }
    }

    It 'signs in with one command on <HostName>, and frees the port' -TestCases @(@{ HostName = '127.0.0.1' }, @{ HostName = 'localhost' }) {
        Connect-Loopback $HostName | Should -BeNullOrEmpty
        (Get-TSheetsToken -Name $name).UserId | Should -Be '12345'
        "$info" | Should -Match 'Sign in to TSheets and allow access: http://127\.0\.0\.1:\d+/api/v1/authorize\?response_type=code'
        "$info" | Should -Match "Waiting up to 60 seconds for the sign-in to reach http://$($HostName):$port/callback"
        "$info" | Should -Match "Connected '$name'"
        $seen = Get-BrowserLog $browserLog
        $seen | Should -Contain 'status 200'
        $seen | Should -Contain 'cache-control no-store'
        ($seen -join "`n") | Should -Match 'Return to PowerShell'
        ($seen -join "`n") | Should -Not -Match 'S\.19__'
        (Get-EmulatorStats $emulator).grants.authorization_code | Should -Be 1
        Test-PortFree $port | Should -BeTrue
    }

    It 'ignores a forged state, sends nothing to /grant, and says so when it times out' {
        $env:TSHEETS_TEST_BROWSER_DECISION = 'forge'
        $err = { Connect-Loopback -TimeoutSec 5 } |
            Should -Throw -ErrorId 'AuthorizationTimedOut,TSheets.Auth.Commands.ConnectTSheetsCommand' -PassThru
        $err.Exception.Message | Should -Match '1 request\(s\) to it without the expected state were ignored'
        Get-BrowserLog $browserLog | Should -Contain 'status 400'
        (Get-EmulatorStats $emulator).grants.total | Should -Be 0
        Test-PortFree $port | Should -BeTrue
    }

    It 'reports a denial as AuthorizationDenied with TSheets'' description' {
        $env:TSHEETS_TEST_BROWSER_DECISION = 'deny'
        $err = { Connect-Loopback } | Should -Throw -ErrorId 'AuthorizationDenied,TSheets.Auth.Commands.ConnectTSheetsCommand' -PassThru
        $err.Exception.Message | Should -Match 'The user denied access'
        (Get-EmulatorStats $emulator).grants.total | Should -Be 0
    }

    It 'reports a port in use as RedirectPortInUse, before showing or launching anything' {
        $taken = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, $port)
        $taken.Start()
        try {
            { Connect-Loopback } | Should -Throw -ErrorId 'RedirectPortInUse,TSheets.Auth.Commands.ConnectTSheetsCommand'
        }
        finally { $taken.Stop() }
        "$info" | Should -Not -Match 'Sign in to TSheets'
        Test-Path -LiteralPath $browserLog | Should -BeFalse
    }

    It 'survives junk and stray requests before the real callback' {
        $env:TSHEETS_TEST_BROWSER_JUNK = '1'
        Connect-Loopback
        (Get-TSheetsToken -Name $name).UserId | Should -Be '12345'
        $seen = Get-BrowserLog $browserLog
        $seen | Should -Contain 'stray /favicon.ico 404'
        $seen | Should -Contain 'stray / 404'
        $seen | Should -Contain 'stray /callback?code=S.19__stray 400'
        $seen | Should -Contain 'status 200'
    }

    It 'warns when the browser cannot start, with the URL already on screen' {
        $env:BROWSER = Join-Path $TestDrive 'no-such-browser'
        { Connect-Loopback -TimeoutSec 2 -WarningVariable script:warnings -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'AuthorizationTimedOut,TSheets.Auth.Commands.ConnectTSheetsCommand'
        "$warnings" | Should -Match 'The browser could not be started.*Open the address above yourself'
        "$info" | Should -Match 'Sign in to TSheets and allow access'
    }
}

Describe 'Connect-TSheets -NoBrowser (SSH with a forwarded port)' {
    It 'shows the URL and the ssh -L hint, never launches a browser, and completes when the URL is opened elsewhere' {
        Reset-Emulator $emulator
        $port = Get-FreePort
        $client = New-EmulatorClient $emulator -RedirectUri "http://127.0.0.1:$port/callback"
        $browserLog = Join-Path $TestDrive 'nobrowser.log'
        $env:BROWSER = $scriptedBrowser
        $env:TSHEETS_TEST_BROWSER_LOG = $browserLog
        $session = Start-PwshProcess @"
`$secret = ConvertTo-SecureString '$($client.PlainSecret)' -AsPlainText -Force
Connect-TSheets -ClientId '$($client.ClientId)' -ClientSecret `$secret -RedirectUri '$($client.RedirectUri)' -BaseUri '$($emulator.BaseUri)' -NoBrowser -TimeoutSec 60
(Get-TSheetsToken).UserId
"@
        $line = Read-PwshProcessLine $session 'Sign in to TSheets and allow access: (\S+)'
        $url = [regex]::Match($line, 'allow access: (\S+)').Groups[1].Value
        Read-PwshProcessLine $session "ssh -L $($port):127\.0\.0\.1:$port" | Should -Not -BeNullOrEmpty
        Read-PwshProcessLine $session 'Waiting up to 60 seconds' | Should -Not -BeNullOrEmpty
        # The person opens the URL on their laptop; the forwarded port carries the redirect back.
        $location = Approve-Authorization $emulator $url
        (Invoke-WebRequest -Uri $location -SkipHttpErrorCheck).StatusCode | Should -Be 200
        $result = Wait-PwshProcess $session
        $result.ExitCode | Should -Be 0 -Because $result.Errors
        $result.Output | Should -Match 'Connected .default. to TSheets as user 12345'
        $result.Output | Should -Match '(?m)^12345$'
        Test-Path -LiteralPath $browserLog | Should -BeFalse
    }
}

Describe 'Connect-TSheets with an https redirect URI (paste-back, in a terminal)' {
    BeforeEach {
        Reset-Emulator $emulator
        $client = New-EmulatorClient $emulator -RedirectUri 'https://app.example/callback'
        $terminal = Start-TmuxPwsh @"
`$secret = ConvertTo-SecureString '$($client.PlainSecret)' -AsPlainText -Force
try {
    Connect-TSheets -ClientId '$($client.ClientId)' -ClientSecret `$secret -RedirectUri '$($client.RedirectUri)' -BaseUri '$($emulator.BaseUri)' -NoBrowser
    'COMPANY ' + (Get-TSheetsToken).CompanyId
}
catch { 'ERRORID ' + `$_.FullyQualifiedErrorId }
"@
    }

    AfterEach {
        Stop-TmuxPwsh $terminal
    }

    It 'asks for the address the browser landed on, hides it, and exchanges it at once' {
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
        Wait-TmuxText $terminal 'Address \(hidden\):' | Out-Null
        Send-TmuxLine $terminal 'https://app.example/callback?code=S.19__pasted&state=someone-elses'
        Wait-TmuxText $terminal 'ERRORID StateMismatch,TSheets.Auth.Commands.ConnectTSheetsCommand' | Out-Null
        (Get-EmulatorStats $emulator).grants.total | Should -Be 0
    }
}

Describe 'Connect-TSheets in a non-interactive session' {
    It 'fails at once with InteractionRequired for a <Kind> redirect URI, opening nothing' -TestCases @(
        @{ Kind = 'loopback'; Redirect = 'http://127.0.0.1:{0}/callback' }
        @{ Kind = 'https'; Redirect = 'https://app.example/callback' }
    ) {
        $port = Get-FreePort
        $redirect = $Redirect -f $port
        $browserLog = Join-Path $TestDrive "noninteractive-$Kind.log"
        $env:BROWSER = $scriptedBrowser
        $env:TSHEETS_TEST_BROWSER_LOG = $browserLog
        $result = Invoke-FreshPwsh @"
`$secret = ConvertTo-SecureString 'not-used' -AsPlainText -Force
`$watch = [Diagnostics.Stopwatch]::StartNew()
try { Connect-TSheets -ClientId c -ClientSecret `$secret -RedirectUri '$redirect' -BaseUri '$($emulator.BaseUri)' -TimeoutSec 300 }
catch { 'ERRORID ' + `$_.FullyQualifiedErrorId; 'MESSAGE ' + `$_.Exception.Message }
'ELAPSED ' + `$watch.ElapsedMilliseconds
"@
        $text = $result.Output -join "`n"
        $text | Should -Match 'ERRORID InteractionRequired,TSheets.Auth.Commands.ConnectTSheetsCommand'
        $text | Should -Match 'MESSAGE .*-RefreshToken.*Set-TSheetsToken'
        [int]([regex]::Match($text, 'ELAPSED (\d+)').Groups[1].Value) | Should -BeLessThan 1000
        Test-Path -LiteralPath $browserLog | Should -BeFalse
    }
}

Describe 'Connect-TSheets with a real headless Chromium' {
    It 'is signed in after Chromium clicks Allow on the consent page and lands on the listener' {
        Test-Path '/usr/bin/chromium' | Should -BeTrue -Because '.ci/run installs Debian''s chromium'
        Test-Path '/usr/bin/chromedriver' | Should -BeTrue -Because '.ci/run installs Debian''s chromium-driver'
        Reset-Emulator $emulator
        $port = Get-FreePort
        $name = New-ConnectionName
        $client = New-EmulatorClient $emulator -RedirectUri "http://localhost:$port/callback"
        $browserLog = Join-Path $TestDrive 'chromium.log'
        $env:TSHEETS_TEST_BROWSER_LOG = $browserLog
        $env:BROWSER = "`"$(Get-PwshPath)`" -NoProfile -NonInteractive -File `"$(Join-Path $PSScriptRoot 'ChromiumBrowser.ps1')`""

        Connect-TSheets -ClientId $client.ClientId -ClientSecret $client.ClientSecret -RedirectUri $client.RedirectUri `
            -BaseUri $emulator.BaseUri -Name $name -TimeoutSec 120

        (Get-TSheetsToken -Name $name).UserId | Should -Be '12345'
        $seen = Get-BrowserLog $browserLog
        $seen | Should -Contain "landed on http://localhost:$port/callback"
        ($seen -join "`n") | Should -Match 'text Signed in TSheets.Auth received the authorization'
        ($seen -join "`n") | Should -Not -Match 'error '
    }
}
