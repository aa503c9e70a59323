<#
.SYNOPSIS
    The README's demo: the two-step sign-in against the TSheets emulator, as a user would run it.
    Prints what happens at each step, and no secret. Run by build.ps1 -Task Demo.
#>
param([Parameter(Mandatory)] [string] $ModulePath)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'pester/TestHelpers.psm1')
Import-Module $ModulePath
$InformationPreference = 'Continue'

function Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }

$emulator = Start-TSheetsEmulator
try {
    Step "A TSheets emulator is listening at $($emulator.BaseUri); an app is registered there."
    $app = New-EmulatorClient $emulator -RedirectUri 'https://app.example/callback'
    Write-Host "Client ID $($app.ClientId), redirect URI $($app.RedirectUri) (the client secret stays a SecureString)."

    Step 'Step 1: New-TSheetsAuthorizationUrl builds the link the user opens.'
    $request = New-TSheetsAuthorizationUrl -ClientId $app.ClientId -RedirectUri $app.RedirectUri -BaseUri $emulator.BaseUri
    Write-Host "Open: $($request.Url)"

    Step 'The user signs in and clicks Allow (the emulator approves on their behalf here).'
    $redirected = [uri](Approve-Authorization $emulator $request.Url)
    Write-Host "The browser lands on $($redirected.GetLeftPart('Path'))?code=...&state=... (the code is a secret: not shown)."

    Step 'Step 2: Connect-TSheets checks the state and exchanges the code at once.'
    $request | Connect-TSheets -ClientSecret $app.ClientSecret -RedirectedUrl $redirected -Name demo

    Step 'Get-TSheetsToken reads the token back (the view shows no secret).'
    $token = Get-TSheetsToken -Name demo
    $token | Format-Table | Out-Host

    Step 'The token at work: GET /current_user with Invoke-RestMethod.'
    $me = Invoke-RestMethod -Uri "$($emulator.BaseUri)/current_user" -Authentication Bearer -Token $token.AccessToken -AllowUnencryptedAuthentication
    $user = $me.results.users.PSObject.Properties.Value | Select-Object -First 1
    Write-Host "Hello, $($user.first_name) $($user.last_name) ($($user.username)) of $($user.company_name)."

    Step 'Refresh: Get-TSheetsToken -ForceRefresh rotates the pair (it does so by itself past half the lifetime).'
    $refreshed = Get-TSheetsToken -Name demo -ForceRefresh -Verbose
    $changed = [System.Net.NetworkCredential]::new('', $refreshed.AccessToken).Password -ne [System.Net.NetworkCredential]::new('', $token.AccessToken).Password
    Write-Host "New access token: $changed; valid until $($refreshed.ExpiresOn.ToLocalTime())."

    $stats = Get-EmulatorStats $emulator
    Step "Done: TSheets saw $($stats.grants.authorization_code) code exchange and $($stats.grants.refresh_token) refresh."
}
finally {
    Stop-TSheetsEmulator $emulator
}
