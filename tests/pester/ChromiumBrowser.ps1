<#
.SYNOPSIS
    A real browser for the end-to-end test: Connect-TSheets launches it through BROWSER with its
    sign-in page (a file:// URI; never the authorization URL, which a command line would show
    every local user). It drives headless Chromium through chromedriver (the W3C WebDriver
    protocol over HTTP), which opens the page and follows its meta refresh to the consent page
    itself, clicks Allow there, and logs where it landed.
#>
param([Parameter(Mandatory)] [string] $Url)

$ErrorActionPreference = 'Stop'
$log = $env:TSHEETS_TEST_BROWSER_LOG
function Write-Log([string] $Text) { Add-Content -LiteralPath $log -Value $Text }

# $env:TSHEETS_TEST_CHROMIUM / $env:TSHEETS_TEST_CHROMEDRIVER, else chromium (or chromium-browser,
# google-chrome) and chromedriver on PATH: the test looks them up the same way and fails first.
Import-Module (Join-Path $PSScriptRoot 'TerminalHelpers.psm1')
$tools = Find-ChromiumTool
if ($tools.Missing) {
    Write-Log "error not found: $($tools.Missing -join '; ')"
    Write-Log 'done'
    exit 1
}
$chromium = $tools.Chromium
$chromedriver = $tools.ChromeDriver
$probe = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
$probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
$profileDir = Join-Path ([IO.Path]::GetTempPath()) "tsheets-chromium-$PID"
$driverLog = Join-Path ([IO.Path]::GetTempPath()) "tsheets-chromedriver-$PID.log"
$driver = Start-Process -FilePath $chromedriver -ArgumentList "--port=$port", "--log-path=$driverLog" -PassThru -RedirectStandardOutput "$driverLog.out"
$base = "http://127.0.0.1:$port"
$element = 'element-6066-11e4-a52e-4f735466cecf'

function Invoke-WebDriver([string] $Method, [string] $Path, $Body) {
    $arguments = @{ Method = $Method; Uri = "$base$Path"; TimeoutSec = 60 }
    if ($null -ne $Body) { $arguments.Body = $Body | ConvertTo-Json -Depth 8; $arguments.ContentType = 'application/json' }
    (Invoke-RestMethod @arguments).value
}

try {
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    while ($true) {
        try { if ((Invoke-WebDriver Get '/status').ready) { break } } catch { }
        if ([DateTime]::UtcNow -gt $deadline) { throw 'chromedriver did not start.' }
        Start-Sleep -Milliseconds 100
    }

    $options = @{
        binary = $chromium
        args   = @('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync', "--user-data-dir=$profileDir")
    }
    $session = (Invoke-WebDriver Post '/session' @{ capabilities = @{ alwaysMatch = @{ browserName = 'chrome'; 'goog:chromeOptions' = $options } } }).sessionId
    try {
        Invoke-WebDriver Post "/session/$session/timeouts" @{ implicit = 20000 } | Out-Null
        Invoke-WebDriver Post "/session/$session/url" @{ url = $Url } | Out-Null
        Write-Log "handed $(if ($Url -match '^file:') { 'a page' } else { 'an address' })"
        # The page's meta refresh leads Chromium on to the authorization URL.
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while (($authorize = Invoke-WebDriver Get "/session/$session/url") -notmatch '^https?:' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Write-Log "consent page: $(Invoke-WebDriver Get "/session/$session/title")"
        $allow = (Invoke-WebDriver Post "/session/$session/element" @{ using = 'css selector'; value = '#approve' }).$element
        Invoke-WebDriver Post "/session/$session/element/$allow/click" @{} | Out-Null

        $redirect = [uri]::UnescapeDataString(([regex]::Match($authorize, 'redirect_uri=([^&]+)')).Groups[1].Value)
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        do {
            Start-Sleep -Milliseconds 100
            $current = Invoke-WebDriver Get "/session/$session/url"
        } until ($current.StartsWith($redirect) -or [DateTime]::UtcNow -gt $deadline)
        $body = (Invoke-WebDriver Post "/session/$session/element" @{ using = 'css selector'; value = 'body' }).$element
        Write-Log "landed on $(([uri]$current).GetLeftPart('Path'))"
        Write-Log "text $((Invoke-WebDriver Get "/session/$session/element/$body/text") -replace '\s+', ' ')"
    }
    finally {
        Invoke-WebDriver Delete "/session/$session" | Out-Null
    }
}
catch {
    Write-Log "error $_"
}
finally {
    Stop-Process -Id $driver.Id -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath $profileDir -Recurse -Force -ErrorAction SilentlyContinue
    Write-Log 'done'
}
