# The capture proxy (tests/TSheets.CaptureProxy): a loopback port standing in for a proxy that records
# whatever arrives (CONNECT, absolute-form requests with their bodies, or bytes that are not HTTP),
# answers 502 (or what Set-CaptureProxyAnswer says) and forwards nothing. "Nothing reached the proxy"
# is then an assertion: (Get-CaptureProxyRequests $capture).Connections | Should -Be 0.
Set-StrictMode -Version 3.0

Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1')

# Returns Url (the proxy: http://127.0.0.1:PORT, for -Proxy or HTTPS_PROXY), ControlUrl, Process.
function Start-CaptureProxy {
    $server = Start-TestServer -Project 'TSheets.CaptureProxy' -ReadyLine 'TSHEETS_CAPTURE_PROXY_LISTENING'
    if ($server.Urls.Count -ne 2) { throw "The capture proxy announced $($server.Urls -join ';'), not a control URL and a proxy URL." }
    [pscustomobject]@{ Url = $server.Urls[1]; ControlUrl = $server.Urls[0]; Process = $server.Process }
}

# What arrived since the start or the last Reset-CaptureProxy: Connections (every connection accepted,
# even one that sent nothing) and Requests, in arrival order, each with Connection, Method, Target
# (host:port for CONNECT, the absolute URL otherwise), Version, Headers (case-insensitive), Body,
# Complete, IsHttp (false for a TLS hello and the like), Text (every byte received, as text) and
# FirstBytes (hex). A request is recorded before it is answered: once a client has its answer (or its
# error), the record is there.
function Get-CaptureProxyRequests {
    param([Parameter(Mandatory)] $Capture)
    $snapshot = Invoke-RestMethod -Uri "$($Capture.ControlUrl)/_capture/requests" -TimeoutSec 30 -NoProxy
    $requests = foreach ($request in @($snapshot.requests)) {
        $headers = [System.Collections.Hashtable]::new([System.StringComparer]::OrdinalIgnoreCase)
        foreach ($header in $request.headers.PSObject.Properties) { $headers[$header.Name] = $header.Value }
        [pscustomobject]@{
            Connection = $request.connection; ReceivedAt = $request.received_at; IsHttp = $request.is_http
            Method = $request.method; Target = $request.target; Version = $request.version; Headers = $headers
            Body = $request.body; Complete = $request.complete; Text = $request.text; FirstBytes = $request.first_bytes
        }
    }
    [pscustomobject]@{ Connections = [int]$snapshot.connections; Requests = @($requests) }
}

# Forgets every arrival and restores the 502 answer.
function Reset-CaptureProxy {
    param([Parameter(Mandatory)] $Capture)
    Invoke-RestMethod -Method Post -Uri "$($Capture.ControlUrl)/_capture/reset" -TimeoutSec 30 -NoProxy | Out-Null
}

# What the proxy answers from now on (a 407 with Proxy-Authenticate, an HTML page with 200...), until
# Reset-CaptureProxy. Content-Length and Connection: close are always added.
function Set-CaptureProxyAnswer {
    param([Parameter(Mandatory)] $Capture, [Parameter(Mandatory)] [int] $Status, [string] $Reason = 'Answer', [hashtable] $Headers = @{}, [string] $Body = '')
    $answer = @{ status = $Status; reason = $Reason; headers = $Headers; body = $Body } | ConvertTo-Json -Compress
    Invoke-RestMethod -Method Post -Uri "$($Capture.ControlUrl)/_capture/answer" -Body $answer -ContentType 'application/json' -TimeoutSec 30 -NoProxy | Out-Null
}

function Stop-CaptureProxy {
    param([Parameter(Mandatory)] $Capture)
    try { Invoke-RestMethod -Method Post -Uri "$($Capture.ControlUrl)/_capture/shutdown" -TimeoutSec 5 -NoProxy | Out-Null } catch { }
    if (-not $Capture.Process.WaitForExit(5000)) { $Capture.Process.Kill() }
}

Export-ModuleMember -Function Start-CaptureProxy, Get-CaptureProxyRequests, Reset-CaptureProxy, Set-CaptureProxyAnswer, Stop-CaptureProxy
