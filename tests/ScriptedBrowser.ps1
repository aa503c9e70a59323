<#
.SYNOPSIS
    A scripted "browser" for the demo (tests/Demo.ps1) and the hand-off test
    (pester/BrowserHandoff.Tests.ps1): Connect-TSheets launches it through the BROWSER environment
    variable. Like a browser it opens what it is given: the module hands over a local page (a
    file:// URI), which it reads and follows to the authorization URL its meta refresh names; an
    address is opened as it is. It approves (or, with TSHEETS_TEST_BROWSER_DECISION=deny, denies;
    =none, goes nowhere) through the emulator and delivers the callback to the module's listener,
    logging what it saw (never the code) to TSHEETS_TEST_BROWSER_LOG. With
    TSHEETS_TEST_BROWSER_SCAN set it first counts the processes whose command line holds the
    authorization request's state or PKCE challenge (Linux: /proc/*/cmdline).
#>
param([Parameter(Mandatory)] [string] $Target)

$ErrorActionPreference = 'Stop'
$log = $env:TSHEETS_TEST_BROWSER_LOG
function Write-Log([string] $Text) { Add-Content -LiteralPath $log -Value $Text }

try {
    if ($Target -match '^file:') {
        $page = ([uri]$Target).LocalPath
        Write-Log "handed a page $page"
        if (-not $IsWindows) {
            $octal = { param($path) [Convert]::ToString([int][IO.File]::GetUnixFileMode($path), 8) }
            Write-Log "page mode $(& $octal $page) folder mode $(& $octal (Split-Path -Parent $page))"
        }
        $html = Get-Content -LiteralPath $page -Raw
        $refresh = [regex]::Match($html, '<meta http-equiv="refresh" content="0;url=([^"]+)"')
        if (-not $refresh.Success) { throw 'The page has no meta refresh.' }
        $Url = [Net.WebUtility]::HtmlDecode($refresh.Groups[1].Value)
        if ($html.Contains("href=`"$($refresh.Groups[1].Value)`"")) { Write-Log 'the page links the address too' }
    }
    else {
        Write-Log 'handed an address'
        $Url = $Target
    }
    Write-Log "launched $(([uri]$Url).GetLeftPart('Path'))"

    if ($env:TSHEETS_TEST_BROWSER_SCAN -and (Test-Path -LiteralPath '/proc')) {
        foreach ($parameter in 'state', 'code_challenge') {
            $value = [regex]::Match($Url, "[?&]$parameter=([^&]+)").Groups[1].Value
            $holders = foreach ($process in Get-ChildItem -LiteralPath '/proc' -Directory | Where-Object Name -Match '^\d+$') {
                try { $line = [IO.File]::ReadAllText((Join-Path $process.FullName 'cmdline')) } catch { continue }
                if ($value -and $line.Contains($value)) { "$($process.Name) $(($line -split "`0")[0])" }
            }
            Write-Log "command lines holding the $parameter`: $(@($holders).Count) $(@($holders) -join '; ')"
        }
    }

    $decision = if ($env:TSHEETS_TEST_BROWSER_DECISION) { $env:TSHEETS_TEST_BROWSER_DECISION } else { 'approve' }
    if ($decision -ne 'none') {
        $body = @{ url = $Url; decision = $decision } | ConvertTo-Json
        $location = (Invoke-RestMethod -Method Post -Uri "$($env:TSHEETS_TEST_EMULATOR)/_emulator/authorize" -Body $body -ContentType 'application/json').location
        $answer = Invoke-WebRequest -Uri $location -SkipHttpErrorCheck -TimeoutSec 30
        Write-Log "status $($answer.StatusCode)"
        Write-Log "cache-control $($answer.Headers['Cache-Control'])"
        Write-Log "body $($answer.Content -replace '\s+', ' ')"
    }
}
catch {
    Write-Log "failed $($_.Exception.Message)"
}
finally {
    Write-Log 'done'
}
