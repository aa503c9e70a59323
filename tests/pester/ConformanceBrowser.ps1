<#
.SYNOPSIS
    The scripted browser of Conformance.Tests.ps1: Connect-TSheets starts it through the BROWSER
    environment variable with its sign-in page (a file:// URI), which it reads and follows to the
    authorization URL named by its meta refresh. Like a person's browser it then asks the
    authorization server (through the conformance server's /_control/authorize, which GETs the URL
    and reports the redirect) and then follows the redirect to the module's loopback listener.
    It logs what it saw to $env:CONFORMANCE_BROWSER_LOG, never the code.
#>
param([Parameter(Mandatory)] [string] $Url)

$ErrorActionPreference = 'Stop'
$log = $env:CONFORMANCE_BROWSER_LOG
function Write-Log([string] $Text) { Add-Content -LiteralPath $log -Value $Text }

try {
    if ($Url -match '^file:') {
        $html = Get-Content -LiteralPath ([uri]$Url).LocalPath -Raw
        $Url = [Net.WebUtility]::HtmlDecode([regex]::Match($html, '<meta http-equiv="refresh" content="0;url=([^"]+)"').Groups[1].Value)
        Write-Log 'handed a page'
    }
    $authorize = [uri] $Url
    Write-Log "launched $($authorize.GetLeftPart('Path'))"
    $body = @{ url = $Url } | ConvertTo-Json -Compress
    $outcome = Invoke-RestMethod -Method Post -Uri "$($authorize.GetLeftPart('Authority'))/_control/authorize" -Body $body -ContentType 'application/json' -TimeoutSec 30
    Write-Log "authorize status $($outcome.status)"
    if (-not $outcome.location) {
        # OpenIddict's own error page: the browser stays there, and the listener hears nothing.
        Write-Log "page $($outcome.body -replace '\s+', ' ')"
    }
    else {
        $location = [uri] $outcome.location
        $query = [System.Web.HttpUtility]::ParseQueryString($location.Query)
        Write-Log "redirect $($location.GetLeftPart('Path')) with $((@($query.AllKeys) | Sort-Object) -join ',')"
        if ($query['error']) { Write-Log "error $($query['error'])" }
        $page = Invoke-WebRequest -Uri $location -SkipHttpErrorCheck -TimeoutSec 30
        Write-Log "callback status $($page.StatusCode)"
        Write-Log "cache-control $($page.Headers['Cache-Control'])"
        Write-Log "page $($page.Content -replace '\s+', ' ')"
    }
}
catch {
    Write-Log "failed $($_.Exception.Message)"
}
finally {
    Write-Log 'done'
}
