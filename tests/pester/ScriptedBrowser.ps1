<#
.SYNOPSIS
    A scripted "browser" for the interactive tests: Connect-TSheets launches it through the BROWSER
    environment variable with the authorization URL. It approves (or denies, or forges) through the
    emulator and delivers the callback to the module's listener, logging what it saw (never the code).
    Settings come from TSHEETS_TEST_* environment variables.
#>
param([Parameter(Mandatory)] [string] $Url)

$ErrorActionPreference = 'Stop'
$log = $env:TSHEETS_TEST_BROWSER_LOG
function Write-Log([string] $Text) { Add-Content -LiteralPath $log -Value $Text }

Write-Log "launched $(([uri]$Url).GetLeftPart('Path'))"
$redirect = [uri][uri]::UnescapeDataString(([regex]::Match($Url, 'redirect_uri=([^&]+)')).Groups[1].Value)

if ($env:TSHEETS_TEST_BROWSER_JUNK) {
    # What a noisy machine sends a listener: stray paths, a TLS hello, junk, a half-sent request.
    foreach ($target in '/favicon.ico', '/', "$($redirect.AbsolutePath)?code=S.19__stray") {
        $stray = Invoke-WebRequest -Uri "$($redirect.GetLeftPart('Authority'))$target" -SkipHttpErrorCheck -TimeoutSec 10
        Write-Log "stray $target $($stray.StatusCode)"
    }
    foreach ($bytes in [byte[]](0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00), [Text.Encoding]::ASCII.GetBytes("NOT HTTP AT ALL`r`n`r`n"), [Text.Encoding]::ASCII.GetBytes('GET /callback?co')) {
        $client = [Net.Sockets.TcpClient]::new()
        $client.Connect($redirect.DnsSafeHost, $redirect.Port)
        $client.GetStream().Write($bytes, 0, $bytes.Length)
        if ($bytes.Length -gt 10) { $client.Dispose() }  # the half-sent one stays open
    }
}

$decision = if ($env:TSHEETS_TEST_BROWSER_DECISION) { $env:TSHEETS_TEST_BROWSER_DECISION } else { 'approve' }
if ($decision -eq 'forge') {
    $location = "$($redirect.AbsoluteUri)?code=S.19__forgedforgedforged&state=forged"
}
else {
    $body = @{ url = $Url; decision = $decision } | ConvertTo-Json
    $location = (Invoke-RestMethod -Method Post -Uri "$($env:TSHEETS_TEST_EMULATOR)/_emulator/authorize" -Body $body -ContentType 'application/json').location
}

$page = Invoke-WebRequest -Uri $location -SkipHttpErrorCheck -TimeoutSec 30
Write-Log "status $($page.StatusCode)"
Write-Log "cache-control $($page.Headers['Cache-Control'])"
Write-Log "body $($page.Content -replace '\s+', ' ')"
Write-Log 'done'
