<#
.SYNOPSIS
    A scripted "browser" for the demo (tests/Demo.ps1): Connect-TSheets launches it through the
    BROWSER environment variable with the authorization URL. It approves (or, with
    TSHEETS_TEST_BROWSER_DECISION=deny, denies) through the emulator and delivers the callback to
    the module's listener, logging what it saw (never the code) to TSHEETS_TEST_BROWSER_LOG. The
    listener's junk and forged-state cases it once played are xunit tests now.
#>
param([Parameter(Mandatory)] [string] $Url)

$ErrorActionPreference = 'Stop'
$log = $env:TSHEETS_TEST_BROWSER_LOG
function Write-Log([string] $Text) { Add-Content -LiteralPath $log -Value $Text }

Write-Log "launched $(([uri]$Url).GetLeftPart('Path'))"

$decision = if ($env:TSHEETS_TEST_BROWSER_DECISION) { $env:TSHEETS_TEST_BROWSER_DECISION } else { 'approve' }
$body = @{ url = $Url; decision = $decision } | ConvertTo-Json
$location = (Invoke-RestMethod -Method Post -Uri "$($env:TSHEETS_TEST_EMULATOR)/_emulator/authorize" -Body $body -ContentType 'application/json').location

$page = Invoke-WebRequest -Uri $location -SkipHttpErrorCheck -TimeoutSec 30
Write-Log "status $($page.StatusCode)"
Write-Log "cache-control $($page.Headers['Cache-Control'])"
Write-Log "body $($page.Content -replace '\s+', ' ')"
Write-Log 'done'
