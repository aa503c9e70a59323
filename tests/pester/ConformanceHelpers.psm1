# Helpers for Conformance.Tests.ps1: start and drive the OpenIddict conformance server
# (tests/TSheets.ConformanceServer, see its README.md), talk to it in raw HTTP, and run the
# module's interactive sign-in in a terminal (tmux) with a scripted browser.
Set-StrictMode -Version 3.0

Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1')

# Positions (in /_control/stats token_endpoint_requests) of the requests this suite sent itself in
# raw HTTP, so the module's own requests can be told apart from them.
$script:RawTokenRequests = [System.Collections.Generic.HashSet[int]]::new()

function Start-ConformanceServer {
    # Warnings (OpenIddict logs each replay it stops) would only clutter the test output.
    $server = Start-TestServer -Project 'TSheets.ConformanceServer' -ReadyLine 'CONFORMANCE_SERVER_LISTENING' -Arguments @('--log-level', 'Error')
    $script:RawTokenRequests.Clear()
    [pscustomobject]@{
        Process = $server.Process
        Url     = $server.Url
        BaseUri = [uri]"$($server.Url)/api/v1"
    }
}

# Stops the server (POST /_control/shutdown, then a kill if it lingers); returns its exit code,
# or throws when it had to be killed.
function Stop-ConformanceServer {
    param([Parameter(Mandatory)] $Server)
    try { Invoke-RestMethod -Method Post -Uri "$($Server.Url)/_control/shutdown" -TimeoutSec 5 | Out-Null } catch { }
    if (-not $Server.Process.WaitForExit(10000)) {
        $Server.Process.Kill()
        [void] $Server.Process.WaitForExit(5000)
        throw "The conformance server (pid $($Server.Process.Id)) did not stop on /_control/shutdown and was killed."
    }
    $Server.Process.ExitCode
}

function Invoke-ConformanceControl {
    param(
        [Parameter(Mandatory)] $Server,
        [Parameter(Mandatory)] [string] $Path,
        [ValidateSet('Get', 'Post')] [string] $Method = 'Post',
        $Body
    )
    $arguments = @{ Method = $Method; Uri = "$($Server.Url)/_control/$Path"; TimeoutSec = 30 }
    if ($PSBoundParameters.ContainsKey('Body')) {
        $arguments.Body = $Body | ConvertTo-Json -Depth 5 -Compress
        $arguments.ContentType = 'application/json'
    }
    Invoke-RestMethod @arguments
}

# Registers a client (POST /_control/clients) with the exact redirect URI string it will send.
function New-ConformanceClient {
    param(
        [Parameter(Mandatory)] $Server,
        [Parameter(Mandatory)] [string] $RedirectUri,
        [ValidateSet('post', 'basic')] [string] $ClientAuthentication = 'post',
        [switch] $RequirePkce,
        [string] $RequiredScope,
        [switch] $ShortLived
    )
    $registration = @{
        redirect_uri          = $RedirectUri
        client_authentication = $ClientAuthentication
        require_pkce          = [bool] $RequirePkce
        short_lived           = [bool] $ShortLived
    }
    if ($RequiredScope) { $registration.required_scope = $RequiredScope }
    $client = Invoke-ConformanceControl $Server 'clients' -Body $registration
    if ($client.redirect_uri -cne $RedirectUri) { throw "The server registered '$($client.redirect_uri)', not '$RedirectUri'." }
    [pscustomobject]@{
        ClientId     = $client.client_id
        ClientSecret = ConvertTo-SecureString -String $client.client_secret -AsPlainText -Force
        PlainSecret  = $client.client_secret
        RedirectUri  = $client.redirect_uri
        Registration = $client
    }
}

# What a browser would get for an authorization URL (POST /_control/authorize): the redirect
# location and its query parameters, or OpenIddict's own error page (no location).
function Invoke-ConformanceAuthorize {
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [string] $Url)
    $outcome = Invoke-ConformanceControl $Server 'authorize' -Body @{ url = $Url }
    $query = @{}
    if ($outcome.location) {
        $parsed = [System.Web.HttpUtility]::ParseQueryString(([uri] $outcome.location).Query)
        foreach ($key in $parsed.AllKeys) { $query[$key] = $parsed[$key] }
    }
    [pscustomobject]@{ Status = [int] $outcome.status; Location = $outcome.location; Body = $outcome.body; Query = $query }
}

function Set-ConformanceConsent {
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [ValidateSet('deny', 'approve')] [string] $Decision)
    Invoke-ConformanceControl $Server 'consent' -Body @{ decision = $Decision } | Out-Null
}

# Moves the server's clock (the one OpenIddict stamps and judges codes and tokens by) forward, so a
# code or token expires on OpenIddict's own verdict without the test waiting for it.
function Step-ConformanceClock {
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [double] $Seconds)
    Invoke-ConformanceControl $Server 'clock' -Body @{ advance_seconds = $Seconds }
}

function Get-ConformanceStats {
    param([Parameter(Mandatory)] $Server)
    Invoke-ConformanceControl $Server 'stats' -Method Get
}

# The token-endpoint requests recorded by the server that this suite did not send itself.
function Get-ModuleTokenRequests {
    param([Parameter(Mandatory)] $Server)
    $stats = Get-ConformanceStats $Server
    $records = @($stats.token_endpoint_requests)
    if ($records.Count -ne $stats.token_requests) { throw "stats list $($records.Count) token requests but count $($stats.token_requests)." }
    @(for ($i = 0; $i -lt $records.Count; $i++) { if (-not $script:RawTokenRequests.Contains($i)) { $records[$i] } })
}

function Send-RawForm {
    param([Parameter(Mandatory)] [string] $Uri, [Parameter(Mandatory)] [hashtable] $Form, $Client, [ValidateSet('post', 'basic')] [string] $Authentication = 'post')
    $headers = @{}
    if ($Client -and $Authentication -eq 'basic') {
        $pair = '{0}:{1}' -f [uri]::EscapeDataString($Client.ClientId), [uri]::EscapeDataString($Client.PlainSecret)
        $headers.Authorization = 'Basic ' + [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($pair))
    }
    elseif ($Client) {
        $Form.client_id = $Client.ClientId
        $Form.client_secret = $Client.PlainSecret
    }
    $response = Invoke-WebRequest -Method Post -Uri $Uri -Body $Form -Headers $headers -SkipHttpErrorCheck -TimeoutSec 30
    $text = [string] $response.Content
    $body = if ($text.TrimStart().StartsWith('{')) { $text | ConvertFrom-Json } else { $null }
    [pscustomobject]@{ Status = [int] $response.StatusCode; Body = $body; Text = $text }
}

# A refresh in raw HTTP, as any other client of the server would send it (recorded as not the module's).
function Invoke-RawRefresh {
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] $Client, [Parameter(Mandatory)] [string] $RefreshToken, [ValidateSet('post', 'basic')] [string] $Authentication = 'post')
    $position = [int] (Get-ConformanceStats $Server).token_requests
    try {
        Send-RawForm "$($Server.BaseUri)/grant" @{ grant_type = 'refresh_token'; refresh_token = $RefreshToken } -Client $Client -Authentication $Authentication
    }
    finally { [void] $script:RawTokenRequests.Add($position) }
}

# RFC 7009 revocation at /api/v1/revoke.
function Invoke-RawRevoke {
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] $Client, [Parameter(Mandatory)] [string] $Token, [string] $TokenTypeHint = 'refresh_token', [ValidateSet('post', 'basic')] [string] $Authentication = 'post')
    Send-RawForm "$($Server.BaseUri)/revoke" @{ token = $Token; token_type_hint = $TokenTypeHint } -Client $Client -Authentication $Authentication
}

# Runs Connect-TSheets (interactive, loopback listener) in a pwsh inside tmux, a terminal a person
# could answer, with BROWSER set to ConformanceBrowser.ps1. -Register gets the redirect URI
# (http://127.0.0.1:PORT/callback, PORT probed free) and must register a client for it; when the
# port is taken before the module binds it (RedirectPortInUse), it runs once more on another port.
# Returns the client, the redirect URI, the RESULT line, the terminal's text and the browser log.
function Invoke-InteractiveConnect {
    param(
        [Parameter(Mandatory)] $Server,
        [Parameter(Mandatory)] [scriptblock] $Register,
        [Parameter(Mandatory)] [string] $LogFolder,
        [string] $Name = (New-ConnectionName),
        [string] $ExtraArguments = '',
        [int] $TimeoutSec = 30,
        # After signing in, the child also forces a refresh and says whether the pair rotated.
        [switch] $ThenRefresh
    )
    $browser = "`"$(Get-PwshPath)`" -NoProfile -NonInteractive -File `"$(Join-Path $PSScriptRoot 'ConformanceBrowser.ps1')`""
    for ($attempt = 1; $attempt -le 2; $attempt++) {
        $redirect = "http://127.0.0.1:$(Get-FreePort)/callback"
        $client = & $Register $redirect
        $log = Join-Path $LogFolder "browser-$Name-$attempt.log"
        $refresh = if ($ThenRefresh) {
            @'
    $before = Get-TSheetsToken -Name $name -NoRefresh
    $after = Get-TSheetsToken -Name $name -ForceRefresh
    $plain = { param($s) [System.Net.NetworkCredential]::new('', $s).Password }
    'ROTATED access={0} refresh={1}' -f ((& $plain $before.AccessToken) -cne (& $plain $after.AccessToken)), ((& $plain $before.RefreshToken) -cne (& $plain $after.RefreshToken))
'@
        }
        else { '' }
        $script = @"
`$env:BROWSER = '$($browser -replace "'", "''")'
`$env:CONFORMANCE_BROWSER_LOG = '$log'
`$name = '$Name'
`$secret = ConvertTo-SecureString '$($client.PlainSecret)' -AsPlainText -Force
try {
    Connect-TSheets -ClientId '$($client.ClientId)' -ClientSecret `$secret -RedirectUri '$redirect' -BaseUri '$($Server.BaseUri)' -Name `$name -TimeoutSec $TimeoutSec $ExtraArguments
    `$t = Get-TSheetsToken -Name `$name -NoRefresh
    'RESULT OK user={0} refreshable={1} auth={2}' -f `$t.UserId, `$t.CanRefresh, `$t.ClientAuthentication
$refresh
}
catch { 'RESULT ERROR ' + `$_.FullyQualifiedErrorId + ' MESSAGE ' + `$_.Exception.Message }
"@
        $terminal = Start-TmuxPwsh $script
        try {
            $result = (Wait-TmuxText $terminal '(?m)^RESULT (OK|ERROR) .*$' -TimeoutSec ($TimeoutSec + 30)).Value
            if ($ThenRefresh -and $result -like 'RESULT OK*') { Wait-TmuxText $terminal '(?m)^ROTATED .*$' -TimeoutSec 30 | Out-Null }
            Wait-TmuxText $terminal '(?m)^PWSH-EXITED' -TimeoutSec 15 | Out-Null
            $screen = Get-TmuxScreen $terminal
        }
        finally { Stop-TmuxPwsh $terminal }
        # The module returns as soon as the callback is in (or at its timeout, which may come before a
        # browser on a busy machine has even started); the browser logs its page later: wait for its 'done'.
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        $launched = $screen -match 'allow access: https?://'
        while ($launched -and -not ((Test-Path -LiteralPath $log) -and (Get-Content -LiteralPath $log) -contains 'done') -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 100
        }
        if ($attempt -eq 1 -and $result -like 'RESULT ERROR RedirectPortInUse,*') { continue }
        break
    }
    [pscustomobject]@{
        Client      = $client
        RedirectUri = $redirect
        Name        = $Name
        Result      = $result
        Screen      = $screen
        BrowserLog  = @(if (Test-Path -LiteralPath $log) { Get-Content -LiteralPath $log })
        Refresh     = [regex]::Match($screen, '(?m)^ROTATED .*$').Value
    }
}

Export-ModuleMember -Function Start-ConformanceServer, Stop-ConformanceServer, Invoke-ConformanceControl, Step-ConformanceClock, New-ConformanceClient,
    Invoke-ConformanceAuthorize, Set-ConformanceConsent, Get-ConformanceStats, Get-ModuleTokenRequests, Invoke-RawRefresh,
    Invoke-RawRevoke, Invoke-InteractiveConnect
