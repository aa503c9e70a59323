#!/usr/bin/env pwsh
# Raw-HTTP smoke check of the conformance server: starts it, walks the OAuth cases with plain HttpClient requests
# (no module code), prints PASS/FAIL per case with OpenIddict's exact answers, stops it, exits 1 on any failure.
#
#   pwsh tests/TSheets.ConformanceServer/smoke.ps1 [-Dll path] [-NoBuild]

[CmdletBinding()]
param(
    [string] $Dll = (Join-Path $PSScriptRoot 'bin/Release/net10.0/TSheets.ConformanceServer.dll'),
    [switch] $NoBuild
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$script:Failures = 0
$script:Passes = 0

function Write-Case([string] $Name, [bool] $Ok, [string] $Detail) {
    if ($Ok) { $script:Passes++; $verdict = 'PASS' } else { $script:Failures++; $verdict = 'FAIL' }
    Write-Host ("{0}  {1}" -f $verdict, $Name)
    if ($Detail) { Write-Host ("      {0}" -f $Detail) }
}

function Invoke-Case([string] $Name, [scriptblock] $Body) {
    try {
        $result = & $Body
        Write-Case $Name ([bool] $result.Ok) $result.Detail
    }
    catch {
        Write-Case $Name $false ("threw: {0}" -f $_.Exception.Message)
    }
}

function Ok([bool] $Condition, [string] $Detail) { [pscustomobject]@{ Ok = $Condition; Detail = $Detail } }

if (-not $NoBuild) {
    & dotnet build $PSScriptRoot -c Release -nologo -v q | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "dotnet build failed ($LASTEXITCODE)" }
}

$handler = [System.Net.Http.SocketsHttpHandler]::new()
$handler.AllowAutoRedirect = $false
$handler.UseProxy = $false
$http = [System.Net.Http.HttpClient]::new($handler)
$http.Timeout = [TimeSpan]::FromSeconds(30)

function Start-Server([string[]] $ExtraArgs = @()) {
    $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in @($Dll, '--urls', 'http://127.0.0.1:0', '--parent-pid', "$PID") + $ExtraArgs) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    $line = $process.StandardOutput.ReadLineAsync()
    if (-not $line.Wait(30000) -or $null -eq $line.Result -or $line.Result -notmatch '^CONFORMANCE_SERVER_LISTENING (http://\S+)$') {
        if (-not $process.HasExited) { $process.Kill() }
        throw "the server did not report CONFORMANCE_SERVER_LISTENING (got '$($line.Result)')"
    }
    [pscustomobject]@{ Process = $process; Base = $Matches[1].TrimEnd('/') }
}

function Send([string] $Method, [string] $Url, [hashtable] $Form, [hashtable] $Headers, [string] $Json) {
    $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::new($Method), $Url)
    if ($null -ne $Form) {
        $pairs = [System.Collections.Generic.List[System.Collections.Generic.KeyValuePair[string, string]]]::new()
        foreach ($k in $Form.Keys) { $pairs.Add([System.Collections.Generic.KeyValuePair[string, string]]::new($k, [string] $Form[$k])) }
        $request.Content = [System.Net.Http.FormUrlEncodedContent]::new($pairs)
    }
    elseif ($Json) {
        $request.Content = [System.Net.Http.StringContent]::new($Json, [System.Text.Encoding]::UTF8, 'application/json')
    }
    if ($Headers) { foreach ($k in $Headers.Keys) { [void] $request.Headers.TryAddWithoutValidation($k, [string] $Headers[$k]) } }
    $response = $http.SendAsync($request).GetAwaiter().GetResult()
    $text = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
    $body = $null
    if ($text -and $text.TrimStart().StartsWith('{')) { $body = $text | ConvertFrom-Json }
    [pscustomobject]@{
        Status = [int] $response.StatusCode
        Body = $body
        Text = $text
        WwwAuthenticate = [string] $response.Headers.WwwAuthenticate
    }
}

function Control([string] $Method, [string] $Path, $Object) {
    $json = if ($null -ne $Object) { $Object | ConvertTo-Json -Compress } else { $null }
    $r = Send $Method "$($script:Server.Base)/_control/$Path" -Json $json
    if ($r.Status -ne 200) { throw "control $Method $Path answered $($r.Status): $($r.Text)" }
    $r.Body
}

function New-Client([hashtable] $Registration) {
    if (-not $Registration.ContainsKey('redirect_uri')) { $Registration.redirect_uri = 'http://127.0.0.1:53682/callback' }
    Control POST clients $Registration
}

function ConvertTo-Base64Url([byte[]] $Bytes) { [Convert]::ToBase64String($Bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_') }

function New-Pkce {
    $verifier = ConvertTo-Base64Url ([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(32))
    $challenge = ConvertTo-Base64Url ([System.Security.Cryptography.SHA256]::HashData([System.Text.Encoding]::ASCII.GetBytes($verifier)))
    [pscustomobject]@{ Verifier = $verifier; Challenge = $challenge }
}

# GET the authorization URL through the browserless twin; returns the redirect's query parameters.
function Invoke-Authorize($Client, [string] $Scope, $Pkce, [string] $State = ([guid]::NewGuid().ToString('N')), [hashtable] $Extra = @{}) {
    $query = [ordered]@{ response_type = 'code'; client_id = $Client.client_id; redirect_uri = $Client.redirect_uri; state = $State }
    if ($Scope) { $query.scope = $Scope }
    if ($Pkce) { $query.code_challenge = $Pkce.Challenge; $query.code_challenge_method = 'S256' }
    foreach ($k in $Extra.Keys) { $query[$k] = $Extra[$k] }
    $qs = ($query.Keys | ForEach-Object { '{0}={1}' -f $_, [Uri]::EscapeDataString([string] $query[$_]) }) -join '&'
    $outcome = Control POST authorize @{ url = "$($script:Server.Base)/api/v1/authorize?$qs" }
    $result = [ordered]@{ location = $outcome.location; status = $outcome.status; sent_state = $State; redirected = [bool] $outcome.location }
    if ($outcome.location) {
        $parsed = [System.Web.HttpUtility]::ParseQueryString(([Uri] $outcome.location).Query)
        foreach ($k in $parsed.AllKeys) { $result[$k] = $parsed[$k] }
    }
    else {
        # OpenIddict answers a request it refuses during its own validation itself (no redirect to the client):
        # HTTP 400 with "name:value" lines.
        foreach ($line in ($outcome.body -split "`n")) {
            if ($line -match '^([a-z_]+):(.*)$') { $result[$Matches[1]] = $Matches[2].Trim() }
        }
    }
    [pscustomobject]$result
}

function Get-Param($Object, [string] $Name) { if ($Object -and $Object.PSObject.Properties[$Name]) { $Object.$Name } else { $null } }

function Invoke-Token([hashtable] $Form, $Client, [ValidateSet('post', 'basic', 'none')] [string] $Auth, [hashtable] $Headers = @{}) {
    $form = $Form.Clone()
    $headers = $Headers.Clone()
    switch ($Auth) {
        'post' { $form.client_id = $Client.client_id; $form.client_secret = $Client.client_secret }
        'basic' {
            $pair = '{0}:{1}' -f [Uri]::EscapeDataString($Client.client_id), [Uri]::EscapeDataString($Client.client_secret)
            $headers.Authorization = 'Basic ' + [Convert]::ToBase64String([System.Text.Encoding]::ASCII.GetBytes($pair))
        }
    }
    Send POST "$($script:Server.Base)/api/v1/grant" -Form $form -Headers $headers
}

function Exchange($Client, [string] $Code, $Pkce, [string] $Auth = 'post', [string] $RedirectUri = $Client.redirect_uri, [string] $Verifier) {
    $form = @{ grant_type = 'authorization_code'; code = $Code; redirect_uri = $RedirectUri }
    if ($Verifier) { $form.code_verifier = $Verifier } elseif ($Pkce) { $form.code_verifier = $Pkce.Verifier }
    Invoke-Token $form $Client $Auth
}

function Refresh($Client, [string] $RefreshToken, [string] $Auth = 'post', [hashtable] $Headers = @{}) {
    Invoke-Token @{ grant_type = 'refresh_token'; refresh_token = $RefreshToken } $Client $Auth $Headers
}

function Describe($Response) {
    $e = Get-Param $Response.Body 'error'
    if ($e) {
        $line = 'HTTP {0} error={1} error_description="{2}"' -f $Response.Status, $e, (Get-Param $Response.Body 'error_description')
        if ($Response.WwwAuthenticate) { $line += " WWW-Authenticate: $($Response.WwwAuthenticate)" }
        return $line
    }
    $keys = if ($Response.Body) { ($Response.Body.PSObject.Properties.Name | Sort-Object) -join ',' } else { $Response.Text }
    'HTTP {0} fields={1}' -f $Response.Status, $keys
}

function Describe-Redirect($Redirect) {
    if (-not $Redirect.redirected) {
        return 'no redirect: HTTP {0} error={1} error_description="{2}" error_uri={3}' -f $Redirect.status, (Get-Param $Redirect 'error'),
            (Get-Param $Redirect 'error_description'), (Get-Param $Redirect 'error_uri')
    }
    'redirect (HTTP {0}) error={1} error_description="{2}" state_echoed={3} iss={4}' -f $Redirect.status, (Get-Param $Redirect 'error'),
        (Get-Param $Redirect 'error_description'), ((Get-Param $Redirect 'state') -eq $Redirect.sent_state), (Get-Param $Redirect 'iss')
}

# Full code flow for a client: authorize, exchange. Returns the token response.
function Get-Tokens($Client, [string] $Scope = 'api offline_access', [string] $Auth = 'post', [switch] $UsePkce) {
    $pkce = if ($UsePkce) { New-Pkce } else { $null }
    $redirect = Invoke-Authorize $Client $Scope $pkce
    if (-not (Get-Param $redirect 'code')) { throw "no code: $(Describe-Redirect $redirect)" }
    $r = Exchange $Client $redirect.code $pkce -Auth $Auth
    if ($r.Status -ne 200) { throw "code exchange failed: $(Describe $r)" }
    $r.Body
}

$script:Server = Start-Server
Write-Host "conformance server at $($script:Server.Base) (pid $($script:Server.Process.Id))"

try {
    # ---- 1. client_secret_post + PKCE S256, refresh rotation --------------------------------------------------------
    $post = New-Client @{ client_authentication = 'post' }
    $script:FirstTokens = $null
    Invoke-Case '1a code flow, client_secret_post + PKCE S256 -> tokens' {
        $pkce = New-Pkce
        $redirect = Invoke-Authorize $post 'api offline_access' $pkce
        $r = Exchange $post $redirect.code $pkce
        $b = $r.Body
        $script:FirstTokens = $b
        Ok ($r.Status -eq 200 -and $b.token_type -eq 'Bearer' -and $b.access_token -and $b.refresh_token -and $b.expires_in -in 599, 600 -and (Get-Param $b 'user_id') -eq '12345') `
           ("HTTP {0} token_type={1} expires_in={2} scope='{3}' user_id={4} lengths: code={5} access_token={6} refresh_token={7}; redirect iss={8}" -f `
                $r.Status, $b.token_type, $b.expires_in, $b.scope, (Get-Param $b 'user_id'), $redirect.code.Length, $b.access_token.Length, $b.refresh_token.Length, (Get-Param $redirect 'iss'))
    }
    $script:Rotated = $null
    Invoke-Case '1b refresh -> new access and refresh token' {
        $r = Refresh $post $script:FirstTokens.refresh_token
        $script:Rotated = $r.Body
        Ok ($r.Status -eq 200 -and $r.Body.refresh_token -and $r.Body.refresh_token -ne $script:FirstTokens.refresh_token -and $r.Body.access_token -ne $script:FirstTokens.access_token) `
           ("{0}; refresh token rotated={1}" -f (Describe $r), ($r.Body.refresh_token -ne $script:FirstTokens.refresh_token))
    }
    Invoke-Case '1c old (rotated-out) refresh token is refused: invalid_grant' {
        $r = Refresh $post $script:FirstTokens.refresh_token
        Ok ($r.Status -eq 400 -and $r.Body.error -eq 'invalid_grant') (Describe $r)
    }
    Invoke-Case '1d (info) after that replay, the refresh token issued by 1b is revoked too (token family revoked)' {
        $r = Refresh $post $script:Rotated.refresh_token
        Ok ($r.Status -eq 400 -and $r.Body.error -eq 'invalid_grant') (Describe $r)
    }

    # ---- 2. Authorization: Bearer + client_secret in the body ------------------------------------------------------
    Invoke-Case '2a refresh with Authorization: Bearer <access token> + client_secret_post (OpenIddict''s answer recorded)' {
        $t = Get-Tokens $post
        $r = Refresh $post $t.refresh_token -Headers @{ Authorization = "Bearer $($t.access_token)" }
        $stats = Control GET stats
        $last = $stats.token_endpoint_requests[-1]
        # OpenIddict does not read a Bearer header at the token endpoint (it is no client authentication method), so it
        # only authenticates the client by its body credentials. This case pins that answer.
        Ok ($r.Status -eq 200 -and $last.authorization_scheme -eq 'Bearer' -and $last.client_secret_in_body -and -not $last.basic_authorization) `
           ("{0}; stats saw authorization_scheme={1} client_secret_in_body={2}" -f (Describe $r), $last.authorization_scheme, $last.client_secret_in_body)
    }
    Invoke-Case '2b refresh with Authorization: Basic + client_secret in the body (two client authentication methods) is refused' {
        $t = Get-Tokens $post
        $pair = '{0}:{1}' -f $post.client_id, $post.client_secret
        $r = Send POST "$($script:Server.Base)/api/v1/grant" `
            -Form @{ grant_type = 'refresh_token'; refresh_token = $t.refresh_token; client_id = $post.client_id; client_secret = $post.client_secret } `
            -Headers @{ Authorization = 'Basic ' + [Convert]::ToBase64String([System.Text.Encoding]::ASCII.GetBytes($pair)) }
        Ok ($r.Status -eq 400 -and $r.Body.error -eq 'invalid_request') (Describe $r)
    }

    # ---- 3. client_secret_basic-only client ------------------------------------------------------------------------
    $basic = New-Client @{ client_authentication = 'basic' }
    $script:BasicTokens = $null
    Invoke-Case '3a basic-only client: code exchange with HTTP Basic works' {
        $redirect = Invoke-Authorize $basic 'api offline_access' $null
        $r = Exchange $basic $redirect.code $null -Auth basic
        $script:BasicTokens = $r.Body
        Ok ($r.Status -eq 200 -and $r.Body.refresh_token) (Describe $r)
    }
    Invoke-Case '3b basic-only client: refresh with HTTP Basic works' {
        $r = Refresh $basic $script:BasicTokens.refresh_token -Auth basic
        $script:BasicTokens = $r.Body
        Ok ($r.Status -eq 200 -and $r.Body.refresh_token) (Describe $r)
    }
    Invoke-Case '3c basic-only client: client_secret_post refused at refresh' {
        $r = Refresh $basic $script:BasicTokens.refresh_token -Auth post
        Ok ($r.Status -in 400, 401 -and $r.Body.error -eq 'invalid_client') (Describe $r)
    }
    Invoke-Case '3d basic-only client: client_secret_post refused at code exchange' {
        $redirect = Invoke-Authorize $basic 'api offline_access' $null
        $r = Exchange $basic $redirect.code $null -Auth post
        Ok ($r.Status -in 400, 401 -and $r.Body.error -eq 'invalid_client') (Describe $r)
    }
    Invoke-Case '3e (info) the refused client_secret_post had no side effect: the refresh token still works with Basic' {
        $r = Refresh $basic $script:BasicTokens.refresh_token -Auth basic
        Ok ($r.Status -eq 200) (Describe $r)
    }

    # ---- 4. require_pkce client ------------------------------------------------------------------------------------
    $pkceClient = New-Client @{ require_pkce = $true }
    Invoke-Case '4a require_pkce client: authorization without code_challenge refused' {
        $redirect = Invoke-Authorize $pkceClient 'api offline_access' $null
        # OpenIddict refuses this during its own request validation, so it shows an error page instead of redirecting.
        Ok ((Get-Param $redirect 'error') -eq 'invalid_request' -and -not (Get-Param $redirect 'code')) (Describe-Redirect $redirect)
    }
    Invoke-Case '4b require_pkce client: exchange with a wrong code_verifier refused: invalid_grant' {
        $pkce = New-Pkce
        $redirect = Invoke-Authorize $pkceClient 'api offline_access' $pkce
        $r = Exchange $pkceClient $redirect.code $pkce -Verifier ((New-Pkce).Verifier)
        Ok ($r.Status -eq 400 -and $r.Body.error -eq 'invalid_grant') (Describe $r)
    }
    Invoke-Case '4c require_pkce client: exchange without code_verifier refused' {
        $pkce = New-Pkce
        $redirect = Invoke-Authorize $pkceClient 'api offline_access' $pkce
        $r = Exchange $pkceClient $redirect.code $null
        Ok ($r.Status -eq 400 -and $r.Body.error -in 'invalid_grant', 'invalid_request') (Describe $r)
    }
    Invoke-Case '4d require_pkce client: the right code_verifier works' {
        $pkce = New-Pkce
        $redirect = Invoke-Authorize $pkceClient 'api offline_access' $pkce
        $r = Exchange $pkceClient $redirect.code $pkce
        Ok ($r.Status -eq 200) (Describe $r)
    }

    # ---- 5. required_scope client ----------------------------------------------------------------------------------
    $scoped = New-Client @{ required_scope = 'timesheets' }
    Invoke-Case '5a required_scope client: authorization without the scope refused' {
        $redirect = Invoke-Authorize $scoped 'offline_access' $null
        Ok ((Get-Param $redirect 'error') -in 'invalid_scope', 'invalid_request' -and -not (Get-Param $redirect 'code')) (Describe-Redirect $redirect)
    }
    Invoke-Case '5b required_scope client: with the scope it works' {
        $redirect = Invoke-Authorize $scoped 'timesheets offline_access' $null
        $r = Exchange $scoped $redirect.code $null
        Ok ($r.Status -eq 200 -and ($r.Body.scope -split ' ') -contains 'timesheets') ("{0} scope='{1}'" -f (Describe $r), $r.Body.scope)
    }
    Invoke-Case '5c (info) a scope the client is not permitted is refused by OpenIddict' {
        $redirect = Invoke-Authorize $post 'timesheets offline_access' $null
        Ok ((Get-Param $redirect 'error') -in 'invalid_scope', 'invalid_request') (Describe-Redirect $redirect)
    }

    # ---- 6. codes and client secrets --------------------------------------------------------------------------------
    Invoke-Case '6a reused authorization code refused: invalid_grant' {
        $redirect = Invoke-Authorize $post 'api offline_access' $null
        $first = Exchange $post $redirect.code $null
        $second = Exchange $post $redirect.code $null
        Ok ($first.Status -eq 200 -and $second.Status -eq 400 -and $second.Body.error -eq 'invalid_grant') ("first {0}; reuse {1}" -f $first.Status, (Describe $second))
    }
    $short = New-Client @{ short_lived = $true }
    Invoke-Case '6b short_lived client: access token expires_in is 5 (OpenIddict rounds the time left down: 4 or 5)' {
        $t = Get-Tokens $short
        Ok ($t.expires_in -in 4, 5) ("expires_in={0}" -f $t.expires_in)
    }
    Invoke-Case '6c expired authorization code (short_lived: 2 s, the server''s clock moved 3 s) refused: invalid_grant' {
        $redirect = Invoke-Authorize $short 'api offline_access' $null
        Control POST clock @{ advance_seconds = 3 } | Out-Null
        $r = Exchange $short $redirect.code $null
        Ok ($r.Status -eq 400 -and $r.Body.error -eq 'invalid_grant') (Describe $r)
    }
    Invoke-Case '6d redirect_uri mismatch at the exchange refused: invalid_grant' {
        $redirect = Invoke-Authorize $post 'api offline_access' $null
        $r = Exchange $post $redirect.code $null -RedirectUri 'http://127.0.0.1:53682/other'
        Ok ($r.Status -eq 400 -and $r.Body.error -eq 'invalid_grant') (Describe $r)
    }
    Invoke-Case '6e wrong client secret (client_secret_post) refused: invalid_client' {
        $redirect = Invoke-Authorize $post 'api offline_access' $null
        $wrong = [pscustomobject]@{ client_id = $post.client_id; client_secret = 'not-the-secret'; redirect_uri = $post.redirect_uri }
        $r = Exchange $wrong $redirect.code $null
        Ok ($r.Body.error -eq 'invalid_client') (Describe $r)
    }
    Invoke-Case '6f wrong client secret (client_secret_basic) refused: invalid_client' {
        $t = $script:BasicTokens
        $wrong = [pscustomobject]@{ client_id = $basic.client_id; client_secret = 'not-the-secret' }
        $r = Refresh $wrong $t.refresh_token -Auth basic
        Ok ($r.Body.error -eq 'invalid_client') (Describe $r)
    }
    Invoke-Case '6g unknown client_id at the authorization endpoint: no redirect (OpenIddict answers itself)' {
        $qs = 'response_type=code&client_id=nobody&redirect_uri={0}&state=s' -f [Uri]::EscapeDataString($post.redirect_uri)
        $outcome = Control POST authorize @{ url = "$($script:Server.Base)/api/v1/authorize?$qs" }
        Ok (-not $outcome.location -and $outcome.status -eq 400) ("HTTP {0} body: {1}" -f $outcome.status, ($outcome.body -replace '\s+', ' '))
    }

    # ---- 7. consent denied -----------------------------------------------------------------------------------------
    Invoke-Case '7a deny -> error=access_denied on the redirect, state echoed' {
        [void] (Control POST consent @{ decision = 'deny' })
        $redirect = Invoke-Authorize $post 'api offline_access' $null -State 'state-7a'
        Ok ((Get-Param $redirect 'error') -eq 'access_denied' -and (Get-Param $redirect 'state') -eq 'state-7a' -and -not (Get-Param $redirect 'code')) (Describe-Redirect $redirect)
    }
    Invoke-Case '7b the request after a deny is approved again' {
        $redirect = Invoke-Authorize $post 'api offline_access' $null
        Ok ([bool] (Get-Param $redirect 'code')) ("code present={0}" -f [bool] (Get-Param $redirect 'code'))
    }

    # ---- 8. revocation ---------------------------------------------------------------------------------------------
    Invoke-Case '8 refresh token revoked at /api/v1/revoke, then refresh refused: invalid_grant' {
        $t = Get-Tokens $post
        $revoke = Send POST "$($script:Server.Base)/api/v1/revoke" `
            -Form @{ token = $t.refresh_token; token_type_hint = 'refresh_token'; client_id = $post.client_id; client_secret = $post.client_secret }
        $r = Refresh $post $t.refresh_token
        Ok ($revoke.Status -eq 200 -and $r.Status -eq 400 -and $r.Body.error -eq 'invalid_grant') ("revoke HTTP {0} body='{1}'; refresh {2}" -f $revoke.Status, $revoke.Text, (Describe $r))
    }

    # ---- 9. no offline_access --------------------------------------------------------------------------------------
    Invoke-Case '9 without offline_access no refresh_token is issued' {
        $t = Get-Tokens $post -Scope 'api'
        Ok ($t.access_token -and -not (Get-Param $t 'refresh_token')) ("fields={0} scope='{1}'" -f (($t.PSObject.Properties.Name | Sort-Object) -join ','), $t.scope)
    }
    Invoke-Case '9b (info) with no scope at all: no refresh_token either' {
        $t = Get-Tokens $post -Scope ''
        Ok ($t.access_token -and -not (Get-Param $t 'refresh_token')) ("fields={0}" -f (($t.PSObject.Properties.Name | Sort-Object) -join ','))
    }

    # ---- stats -----------------------------------------------------------------------------------------------------
    Invoke-Case '10 /_control/stats counts code exchanges, refreshes and token-endpoint requests' {
        $s = Control GET stats
        $records = @($s.token_endpoint_requests)
        $okCodes = @($records | Where-Object { $_.grant_type -eq 'authorization_code' -and $_.status -eq 200 }).Count
        $okRefreshes = @($records | Where-Object { $_.grant_type -eq 'refresh_token' -and $_.status -eq 200 }).Count
        Ok ($s.token_requests -eq $records.Count -and $s.code_exchanges -eq $okCodes -and $s.refreshes -eq $okRefreshes -and $s.code_exchanges -gt 0 -and $s.refreshes -gt 0 -and $s.revocation_requests -eq 1) `
           ("token_requests={0} code_exchanges={1} refreshes={2} revocation_requests={3} authorize_requests={4}" -f $s.token_requests, $s.code_exchanges, $s.refreshes, $s.revocation_requests, $s.authorize_requests)
    }

    # ---- process contract ------------------------------------------------------------------------------------------
    Invoke-Case '11 a non-loopback --urls is refused (exit 2)' {
        $p = Start-Process dotnet -ArgumentList @($Dll, '--urls', 'http://0.0.0.0:0') -PassThru -Wait -RedirectStandardError ([System.IO.Path]::GetTempFileName()) -RedirectStandardOutput ([System.IO.Path]::GetTempFileName())
        Ok ($p.ExitCode -eq 2) ("exit code {0}" -f $p.ExitCode)
    }
    Invoke-Case '12 exits when its parent process dies' {
        $parent = Start-Process sleep -ArgumentList '2' -PassThru
        $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        foreach ($a in @($Dll, '--urls', 'http://127.0.0.1:0', '--parent-pid', "$($parent.Id)")) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $child = [System.Diagnostics.Process]::Start($psi)
        $exited = $child.WaitForExit(20000)
        if (-not $exited) { $child.Kill() }
        Ok $exited ("exited={0} code={1}" -f $exited, $(if ($exited) { $child.ExitCode } else { 'n/a' }))
    }
}
finally {
    Invoke-Case '13 POST /_control/shutdown stops the server' {
        $r = Send POST "$($script:Server.Base)/_control/shutdown"
        $exited = $script:Server.Process.WaitForExit(15000)
        if (-not $exited) { $script:Server.Process.Kill() }
        Ok ($r.Status -eq 200 -and $exited -and $script:Server.Process.ExitCode -eq 0) ("HTTP {0} {1}; exited={2}" -f $r.Status, $r.Text, $exited)
    }
}

Write-Host ("{0} passed, {1} failed" -f $script:Passes, $script:Failures)
exit ([int] ($script:Failures -gt 0))
