# Proxies for the tests: a real squid with basic authentication on loopback (Start-SquidProxy), and a
# capture server that stands in for a proxy and forwards nothing (Start-CaptureProxy, from
# CaptureProxyHelpers.psm1, exported here too), to prove what did or did not go through a proxy.
# tests/pester/ProxyHarness.Tests.ps1 shows each at work.
Set-StrictMode -Version 3.0

Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1')
Import-Module (Join-Path $PSScriptRoot 'CaptureProxyHelpers.psm1')

$script:NcsaAuthHelper = '/usr/lib/squid/basic_ncsa_auth'

# The whole configuration is ours: nothing from /etc/squid is read, so the default config's
# 'http_access deny to_localhost' and its SSL_ports rule for CONNECT do not exist here.
#
# What squid writes, and what it never writes:
# - access.log, one line per request, in the 'tsheets_test' format: time, client address, method,
#   URL, status, squid's result code (TCP_TUNNEL, TCP_DENIED...), the proxy user name ('-' when none)
#   and bytes sent. The URL of a CONNECT is host:port; an http URL's query is cut to '?'
#   (strip_query_terms on), so a secret in a query never reaches it. No header is logged, so neither
#   Authorization nor Proxy-Authorization (whose base64 is the password): the format has no %>h or
#   %<h code, and log_mime_hdrs is off (with it on and a bare %>h, squid logs every request header,
#   Proxy-Authorization included; ProxyHarness.Tests.ps1 fails then). The password never appears
#   otherwise: squid logs the user name alone and hands user and password to basic_ncsa_auth on its
#   standard input, which nothing logs.
# - cache.log, squid's own diagnostics at debug level ALL,1: startup, helpers, errors. Request
#   headers reach it only at higher debug levels.
$script:SquidConfigTemplate = @'
# Written by ProxyHelpers.psm1 for one test run; squid reads nothing else.
http_port 127.0.0.1:{PORT}
visible_hostname tsheets-test-proxy
pid_filename {FOLDER}/squid.pid
cache_log {FOLDER}/cache.log
coredump_dir {FOLDER}
{EFFECTIVE_USER}
# Nothing is cached, in memory or on disk: every request reaches the emulator, and squid writes only its logs.
cache deny all
cache_mem 0 MB
pinger_enable off
netdb_filename none
client_db off

logformat tsheets_test %ts.%03tu %>a %rm %ru %>Hs %Ss %un %<st
access_log stdio:{FOLDER}/access.log logformat=tsheets_test
strip_query_terms on
log_mime_hdrs off
debug_options ALL,1

# A gone emulator fails a test fast; a stop does not wait for open connections.
connect_timeout 10 seconds
shutdown_lifetime 0 seconds

{AUTHENTICATION}
# Targets: loopback only (the emulator's random port included, for plain http and CONNECT alike),
# so a test can never reach another machine through it.
acl loopback_targets dst 127.0.0.0/8 ::1
http_access deny !loopback_targets
{ACCESS}
http_access deny all
'@

$script:SquidAuthentication = @'
auth_param basic program {HELPER} {FOLDER}/passwd
auth_param basic children 2 startup=1 idle=1
auth_param basic realm TSheets test proxy
acl proxy_users proxy_auth REQUIRED
'@

function Get-SquidPath {
    $command = Get-Command -Name squid -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if ($command) { return $command.Source }
    # squid lives in /usr/sbin, which a user's PATH often leaves out.
    foreach ($candidate in '/usr/sbin/squid', '/sbin/squid') { if (Test-Path -LiteralPath $candidate -PathType Leaf) { return $candidate } }
    throw 'squid is not installed (Debian: apt-get install squid; build.ps1 -Task Test installs it).'
}

function Invoke-Tool([string] $FilePath, [string[]] $Arguments, [string] $InputText) {
    $info = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($argument in $Arguments) { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $info.RedirectStandardError = $true
    $info.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($info)
    if ($InputText) { $process.StandardInput.WriteLine($InputText) }
    $process.StandardInput.Close()
    $errors = $process.StandardError.ReadToEndAsync()
    $null = $process.StandardOutput.ReadToEnd()
    $process.WaitForExit()
    if ($process.ExitCode -ne 0) { throw "$FilePath failed ($($process.ExitCode)): $($errors.Result)" }
}

# Waits for squid's own "Accepting HTTP Socket connections ... local=127.0.0.1:PORT" line: the port
# answering alone could be another process that took it first. Returns 'ready', 'port-taken' or 'failed'.
function Wait-SquidListening($Process, [string] $CacheLog, [int] $Port, [int] $TimeoutSec) {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    $accepting = "Accepting HTTP Socket connections at .* local=127\.0\.0\.1:$Port "
    while ([DateTime]::UtcNow -lt $deadline) {
        $exited = $Process.WaitForExit(50)
        $text = if (Test-Path -LiteralPath $CacheLog) { [System.IO.File]::ReadAllText($CacheLog) } else { '' }
        if ($text -match $accepting) { return 'ready' }
        if ($text -match 'Address already in use|Cannot bind') { return 'port-taken' }
        if ($exited) { return 'failed' }
    }
    'failed'
}

<#
Starts squid on 127.0.0.1 at a free port, as a child of this process (-N: no daemon), with its own
configuration, password file, PID file and logs in a temp folder and no cache. With basic
authentication (basic_ncsa_auth over an htpasswd file) unless -NoAuthentication. Returns Url
(http://127.0.0.1:PORT), UrlWithCredentials (user:password@ in it, escaped), UserName, Password
(plain, for the test), Credential, AccessLog, CacheLog, Folder, Process. Stop it with Stop-SquidProxy
(in AfterAll); if this process dies first, a watchdog ends it within a second or two.
#>
function Start-SquidProxy {
    param([switch] $NoAuthentication, [string] $UserName = 'tsheets-proxy-user', [string] $Password = "pw-$([guid]::NewGuid().ToString('n'))", [int] $TimeoutSec = 30)
    $ErrorActionPreference = 'Stop'
    $squid = Get-SquidPath
    $folder = Join-Path ([IO.Path]::GetTempPath()) "tsheets-squid-$([guid]::NewGuid().ToString('n').Substring(0, 12))"
    New-Item -ItemType Directory -Path $folder | Out-Null
    # The service name prefixes squid's shared-memory segments (/dev/shm/NAME-*): unique, so squids of
    # several test runs on one machine never meet there.
    $service = "tsq$([guid]::NewGuid().ToString('n').Substring(0, 12))"
    if (-not $NoAuthentication) {
        if (-not (Test-Path -LiteralPath $script:NcsaAuthHelper -PathType Leaf)) { throw "$($script:NcsaAuthHelper) is missing (Debian package squid)." }
        # -i: the password comes on standard input, not on a command line another process could read.
        Invoke-Tool 'htpasswd' @('-i', '-c', '-m', (Join-Path $folder 'passwd'), $UserName) $Password
    }
    # Started as root, squid refuses to stay root and becomes cache_effective_user ('proxy' on Debian):
    # that user must own the folder it writes to. Otherwise squid stays the user who started it.
    $effectiveUser = ''
    if ((& id -u) -eq '0') {
        $effectiveUser = 'cache_effective_user proxy'
        & chown -R proxy: $folder
        if ($LASTEXITCODE -ne 0) { throw "Cannot give $folder to the user 'proxy' that squid runs as." }
    }

    for ($attempt = 1; ; $attempt++) {
        $port = Get-FreePort
        $access = if ($NoAuthentication) { 'http_access allow all' } else { 'http_access allow proxy_users' }
        $authentication = if ($NoAuthentication) { '' } else { $script:SquidAuthentication }
        $config = $script:SquidConfigTemplate.Replace('{AUTHENTICATION}', $authentication).Replace('{ACCESS}', $access).
            Replace('{EFFECTIVE_USER}', $effectiveUser).Replace('{HELPER}', $script:NcsaAuthHelper).Replace('{FOLDER}', $folder).Replace('{PORT}', "$port")
        $configPath = Join-Path $folder 'squid.conf'
        Set-Content -LiteralPath $configPath -Value $config -Encoding utf8NoBOM
        $cacheLog = Join-Path $folder 'cache.log'
        Remove-Item -LiteralPath $cacheLog -ErrorAction Ignore

        $info = [System.Diagnostics.ProcessStartInfo]::new($squid)
        foreach ($argument in '-N', '-n', $service, '-f', $configPath) { $info.ArgumentList.Add($argument) }
        $info.UseShellExecute = $false
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($info)
        $said = $process.StandardError.ReadToEndAsync()
        $null = $process.StandardOutput.ReadToEndAsync()
        $state = Wait-SquidListening $process $cacheLog $port $TimeoutSec
        if ($state -eq 'ready') { break }
        Stop-SquidProcess $process $service
        if ($state -eq 'port-taken' -and $attempt -lt 3) { continue }
        $log = if (Test-Path -LiteralPath $cacheLog) { [System.IO.File]::ReadAllText($cacheLog) } else { '' }
        $stderr = if ($said.IsCompleted) { $said.Result } else { '' }
        Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction Ignore
        throw "squid did not start on 127.0.0.1:$port ($state). It said:`n$stderr`n$log"
    }

    # If this process dies without its AfterAll, the watchdog ends squid and removes what it leaves.
    $watch = "while kill -0 $PID 2>/dev/null && kill -0 $($process.Id) 2>/dev/null; do sleep 1; done; " +
        "kill -KILL $($process.Id) 2>/dev/null; rm -f /dev/shm/$service-*; kill -0 $PID 2>/dev/null || rm -rf '$folder'"
    $watchInfo = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
    foreach ($argument in '-c', $watch) { $watchInfo.ArgumentList.Add($argument) }
    $watchdog = [System.Diagnostics.Process]::Start($watchInfo)

    $url = "http://127.0.0.1:$port"
    $credential = if ($NoAuthentication) { $null } else { [pscredential]::new($UserName, (ConvertTo-SecureString -String $Password -AsPlainText -Force)) }
    [pscustomobject]@{
        Url                = $url
        UrlWithCredentials = if ($NoAuthentication) { $url } else { "http://$([uri]::EscapeDataString($UserName)):$([uri]::EscapeDataString($Password))@127.0.0.1:$port" }
        Port               = $port
        Authenticated      = -not $NoAuthentication
        UserName           = if ($NoAuthentication) { $null } else { $UserName }
        Password           = if ($NoAuthentication) { $null } else { $Password }
        Credential         = $credential
        AccessLog          = Join-Path $folder 'access.log'
        CacheLog           = $cacheLog
        Folder             = $folder
        Process            = $process
        ServiceName        = $service
        Watchdog           = $watchdog
    }
}

function Stop-SquidProcess($Process, [string] $Service) {
    # SIGKILL to squid and its helpers: nothing of it is worth a graceful stop, and SIGTERM makes
    # squid linger for seconds. Its shared memory is then ours to remove.
    if (-not $Process.HasExited) { $Process.Kill($true) }
    $null = $Process.WaitForExit(10000)
    Get-ChildItem -LiteralPath '/dev/shm' -Filter "$Service-*" -ErrorAction Ignore | Remove-Item -Force -ErrorAction Ignore
}

# Stops squid and its watchdog and removes its folder (logs included: read them before).
function Stop-SquidProxy {
    param([Parameter(Mandatory)] $Proxy)
    if (-not $Proxy.Watchdog.HasExited) { $Proxy.Watchdog.Kill() }
    Stop-SquidProcess $Proxy.Process $Proxy.ServiceName
    Remove-Item -LiteralPath $Proxy.Folder -Recurse -Force -ErrorAction Ignore
}

# squid's access log as objects: Method, Url, Status, Result (TCP_TUNNEL, TCP_DENIED...), User ('-'
# when none), Bytes, Client, Time; Line is the line as written.
function Get-SquidAccessLog {
    param([Parameter(Mandatory)] $Proxy)
    if (-not (Test-Path -LiteralPath $Proxy.AccessLog)) { return @() }
    foreach ($line in [System.IO.File]::ReadAllLines($Proxy.AccessLog)) {
        $fields = $line -split ' '
        if ($fields.Count -lt 8) { continue }
        [pscustomobject]@{ Time = $fields[0]; Client = $fields[1]; Method = $fields[2]; Url = $fields[3]; Status = [int]$fields[4]; Result = $fields[5]; User = $fields[6]; Bytes = $fields[7]; Line = $line }
    }
}

# squid writes its access log a moment after it answers: waits until an entry matches (Method, a
# -like Url pattern, Status) and returns the matching entries; throws, showing the log, after the timeout.
function Wait-SquidAccessLog {
    param([Parameter(Mandatory)] $Proxy, [string] $Method = '*', [string] $Url = '*', [int] $Status = 0, [int] $Count = 1, [int] $TimeoutSec = 15)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    do {
        $found = @(Get-SquidAccessLog $Proxy | Where-Object { $_.Method -like $Method -and $_.Url -like $Url -and ($Status -eq 0 -or $_.Status -eq $Status) })
        if ($found.Count -ge $Count) { return $found }
        Start-Sleep -Milliseconds 100
    } while ([DateTime]::UtcNow -lt $deadline)
    throw "squid's access log has no $Count entries for $Method $Url $Status within $TimeoutSec s. It holds:`n$((Get-SquidAccessLog $Proxy).Line -join "`n")"
}

# Both of squid's logs as one text, for "no secret in here" checks.
function Get-SquidLogText {
    param([Parameter(Mandatory)] $Proxy)
    (@($Proxy.AccessLog, $Proxy.CacheLog) | Where-Object { Test-Path -LiteralPath $_ } | ForEach-Object { [System.IO.File]::ReadAllText($_) }) -join "`n"
}

# A web session for Invoke-RestMethod/Invoke-WebRequest -WebSession that really goes through the proxy
# for a loopback target. PowerShell's own -Proxy never does: its proxy object (not .NET's) bypasses
# every loopback URL, so the emulator would be called directly. System.Net.WebProxy bypasses nothing
# unless asked (BypassProxyOnLocal is false).
function New-ProxyWebSession {
    param([Parameter(Mandatory)] [string] $ProxyUrl, [pscredential] $Credential)
    $session = [Microsoft.PowerShell.Commands.WebRequestSession]::new()
    $session.Proxy = [System.Net.WebProxy]::new($ProxyUrl)
    if ($Credential) { $session.Proxy.Credentials = $Credential.GetNetworkCredential() }
    $session
}

Export-ModuleMember -Function Start-SquidProxy, Stop-SquidProxy, Get-SquidAccessLog, Wait-SquidAccessLog, Get-SquidLogText, New-ProxyWebSession,
    Start-CaptureProxy, Get-CaptureProxyRequests, Reset-CaptureProxy, Set-CaptureProxyAnswer, Stop-CaptureProxy
