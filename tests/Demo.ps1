<#
.SYNOPSIS
    The README's demo: the sign-in against the TSheets emulator, as a user would run it, then the
    token at work. Prints what happens at each step, and no secret. Run by build.ps1 -Task Demo.
    At a terminal, the one-command sign-in runs with a scripted browser; where no person could
    answer (standard input redirected: a pipe, CI), it shows the module refusing that at once, as
    it does in a scheduled job, and signs in in two steps instead.
#>
param([Parameter(Mandatory)] [string] $ModulePath)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'pester/TestHelpers.psm1')
Import-Module $ModulePath
$InformationPreference = 'Continue'

function Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }

$emulator = Start-TSheetsEmulator
$browserLog = Join-Path ([IO.Path]::GetTempPath()) "tsheets-demo-browser-$PID.log"
try {
    Step "A TSheets emulator is listening at $($emulator.BaseUri)."
    $port = Get-FreePort
    $app = New-EmulatorClient $emulator -RedirectUri "http://127.0.0.1:$port/callback"
    Write-Host "An app is registered there: client ID $($app.ClientId), redirect URI $($app.RedirectUri)."
    Write-Host 'The browser here is a script (BROWSER points at it) that clicks Allow, as a person would.'
    $env:BROWSER = "`"$(Get-PwshPath)`" -NoProfile -NonInteractive -File `"$(Join-Path $PSScriptRoot 'ScriptedBrowser.ps1')`""
    $env:TSHEETS_TEST_EMULATOR = $emulator.Url
    $env:TSHEETS_TEST_BROWSER_LOG = $browserLog

    if (-not [Console]::IsInputRedirected) {
        Step 'Sign in with one command: Connect-TSheets listens on the redirect URI, opens the browser, and waits.'
        Connect-TSheets -ClientId $app.ClientId -ClientSecret $app.ClientSecret -RedirectUri $app.RedirectUri -BaseUri $emulator.BaseUri
    }
    else {
        Step 'No one could answer here (standard input is redirected), so the one-command sign-in refuses at once, as in a scheduled job:'
        $watch = [Diagnostics.Stopwatch]::StartNew()
        try { Connect-TSheets -ClientId $app.ClientId -ClientSecret $app.ClientSecret -RedirectUri $app.RedirectUri -BaseUri $emulator.BaseUri }
        catch { Write-Host "$($_.FullyQualifiedErrorId) after $($watch.ElapsedMilliseconds) ms: $($_.Exception.Message)" }
        Step 'Signing in in two steps instead: the URL, then the address the browser landed on.'
        $request = New-TSheetsAuthorizationUrl -ClientId $app.ClientId -RedirectUri $app.RedirectUri -BaseUri $emulator.BaseUri
        $request | Connect-TSheets -ClientSecret $app.ClientSecret -RedirectedUrl (Approve-Authorization $emulator $request.Url)
    }

    Step 'Get-TSheetsToken reads the token back (the view shows no secret).'
    $token = Get-TSheetsToken
    $token | Format-Table | Out-Host

    Step 'The token at work: Invoke-TSheetsRestMethod current_user, then every user of the company with -All.'
    $me = Invoke-TSheetsRestMethod current_user
    $user = $me.results.users.PSObject.Properties.Value | Select-Object -First 1
    Write-Host "Hello, $($user.first_name) $($user.last_name) ($($user.username)) of $($user.company_name)."
    $pages = Invoke-TSheetsRestMethod users -All
    Write-Host "The company has $(@($pages | ForEach-Object { $_.results.users.PSObject.Properties }).Count) users, read in $(@($pages).Count) pages."

    Step 'Refresh: Get-TSheetsToken -ForceRefresh rotates the pair (it does so by itself past half the lifetime).'
    $refreshed = Get-TSheetsToken -ForceRefresh -Verbose
    $changed = [System.Net.NetworkCredential]::new('', $refreshed.AccessToken).Password -ne [System.Net.NetworkCredential]::new('', $token.AccessToken).Password
    Write-Host "New access token: $changed; valid until $($refreshed.ExpiresOn.ToLocalTime())."

    Step 'The same in two steps, for a web app or an https redirect URI: the URL, then the address the browser landed on.'
    $web = New-EmulatorClient $emulator -RedirectUri 'https://app.example/callback'
    $request = New-TSheetsAuthorizationUrl -ClientId $web.ClientId -RedirectUri $web.RedirectUri -BaseUri $emulator.BaseUri
    Write-Host "Open: $($request.Url)"
    $redirected = [uri](Approve-Authorization $emulator $request.Url)
    Write-Host "The browser lands on $($redirected.GetLeftPart('Path'))?code=...&state=... (the code is a secret: not shown)."
    $request | Connect-TSheets -ClientSecret $web.ClientSecret -RedirectedUrl $redirected -Name web

    $stats = Get-EmulatorStats $emulator
    Step "Done: TSheets saw $($stats.grants.authorization_code) code exchanges and $($stats.grants.refresh_token) refresh."
}
finally {
    Remove-Item Env:BROWSER, Env:TSHEETS_TEST_EMULATOR, Env:TSHEETS_TEST_BROWSER_LOG -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath $browserLog -ErrorAction SilentlyContinue
    Stop-TSheetsEmulator $emulator
}
