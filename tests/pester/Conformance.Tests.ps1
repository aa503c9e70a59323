# The OAuth conformance suite (issue 13): the module's flows against an independent,
# standards-strict authorization server (OpenIddict, tests/TSheets.ConformanceServer), not against
# the module's own emulator. Raw HTTP is used only to check what the server thinks afterwards.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ConformanceHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $server = Start-ConformanceServer
    $names = [System.Collections.Generic.List[string]]::new()
    $pasteRedirect = 'https://app.example/callback'
    $connect = 'TSheets.Auth.Commands.ConnectTSheetsCommand'
    $getToken = 'TSheets.Auth.Commands.GetTSheetsTokenCommand'

    function New-Name { $n = New-ConnectionName; $names.Add($n); $n }
    function Get-Plain([securestring] $Secure) { ConvertFrom-TestSecureString $Secure }

    # Step 1 as a user does it: the URL from New-TSheetsAuthorizationUrl, opened in a "browser".
    function New-Authorization {
        param([Parameter(Mandatory)] $Client, [string[]] $Scope = @('offline_access'), [switch] $NoPkce)
        $arguments = @{ ClientId = $Client.ClientId; RedirectUri = $Client.RedirectUri; BaseUri = $server.BaseUri; NoPkce = $NoPkce }
        if ($Scope) { $arguments.Scope = $Scope }
        $request = New-TSheetsAuthorizationUrl @arguments
        [pscustomobject]@{ Request = $request; Answer = (Invoke-ConformanceAuthorize $server $request.Url.AbsoluteUri) }
    }

    # Step 2 as a user does it: the request piped to Connect-TSheets with the address the browser landed on.
    function Connect-Pasted {
        param(
            [Parameter(Mandatory)] $Authorization, [Parameter(Mandatory)] $Client, [string] $Name = (New-Name),
            [securestring] $Secret = $Client.ClientSecret, [string] $ClientAuthentication = 'Post'
        )
        $Authorization.Request | Connect-TSheets -ClientSecret $Secret -RedirectedUrl $Authorization.Answer.Location -Name $Name -ClientAuthentication $ClientAuthentication -PassThru
    }

    # The module's token-endpoint requests for a client (client_secret_post names it in the body).
    function Get-ClientRequests([string] $ClientId) { @(Get-ModuleTokenRequests $server | Where-Object client_id_in_body -EQ $ClientId) }

    # "grant_type status" of a recorded request. Not its error: the stats record OpenIddict's error before it is
    # normalised (invalid_token where the wire says invalid_grant), so the error is read from the module's message.
    function Format-Request($Record) { "$($Record.grant_type) $($Record.status)" }

    function Get-TokenRequestCount { [int] (Get-ConformanceStats $server).token_requests }
}

AfterAll {
    foreach ($name in $names) { Disconnect-TSheets -Name $name -ErrorAction SilentlyContinue }
    if ($server) { Stop-ConformanceServer $server | Out-Null }
}

Describe 'Authorization URL, then the pasted redirected address' {
    BeforeAll {
        # A PKCE-required client: if the verifier did not bind from the request, the server would refuse the exchange.
        $client = New-ConformanceClient $server -RedirectUri $pasteRedirect -RequirePkce
        $authorization = New-Authorization $client
        $name = New-Name
    }

    It 'asks for PKCE (S256) and offline_access, and the server redirects with a code and the same state' {
        $query = [System.Web.HttpUtility]::ParseQueryString($authorization.Request.Url.Query)
        $query['code_challenge_method'] | Should -BeExactly 'S256'
        $query['code_challenge'] | Should -Match '^[A-Za-z0-9_-]{43}$'
        $query['scope'] | Should -BeExactly 'offline_access'
        $authorization.Request.CodeVerifier | Should -Match '^[A-Za-z0-9_-]{43,128}$'
        $authorization.Answer.Status | Should -Be 302
        $authorization.Answer.Location | Should -BeLike "$pasteRedirect`?*"
        $authorization.Answer.Query['state'] | Should -BeExactly $authorization.Request.State
        $authorization.Answer.Query['code'] | Should -Not -BeNullOrEmpty
    }

    It 'signs in from the pasted address: the token is the server''s, refreshable, valid for its 600 s' {
        $before = [DateTimeOffset]::UtcNow
        $script:signedIn = Connect-Pasted $authorization $client -Name $name
        $signedIn.UserId | Should -BeExactly '12345'
        $signedIn.TokenType | Should -Be 'Bearer'
        $signedIn.CanRefresh | Should -BeTrue
        $signedIn.ClientAuthentication | Should -Be 'Post'
        $signedIn.ExpiresOn | Should -BeGreaterThan $before.AddSeconds(590)
        $signedIn.ExpiresOn | Should -BeLessThan $before.AddSeconds(610)
        Get-Plain (Get-TSheetsToken -Name $name -NoRefresh).AccessToken | Should -BeExactly (Get-Plain $signedIn.AccessToken)
        $exchange = @(Get-ClientRequests $client.ClientId)
        $exchange.Count | Should -Be 1
        $exchange[0].grant_type | Should -Be 'authorization_code'
        $exchange[0].status | Should -Be 200
    }

    It 'rotates both tokens on -ForceRefresh, and the server then refuses the old refresh token' {
        $oldRefresh = Get-Plain $signedIn.RefreshToken
        $rotated = Get-TSheetsToken -Name $name -ForceRefresh
        Get-Plain $rotated.AccessToken | Should -Not -BeExactly (Get-Plain $signedIn.AccessToken)
        Get-Plain $rotated.RefreshToken | Should -Not -BeExactly $oldRefresh
        Format-Request (Get-ClientRequests $client.ClientId)[-1] | Should -BeExactly 'refresh_token 200'
        $replay = Invoke-RawRefresh $server $client $oldRefresh
        $replay.Status | Should -Be 400
        $replay.Body.error | Should -BeExactly 'invalid_grant'
    }
}

Describe 'Interactive sign-in: loopback listener, in a terminal, with a scripted browser' {
    It 'signs in with PKCE on a PKCE-required client; the browser gets the listener''s page; refresh rotates' {
        $run = Invoke-InteractiveConnect $server -LogFolder $TestDrive -Name (New-Name) -ExtraArguments '-Scope offline_access' -ThenRefresh `
            -Register { param($redirect) New-ConformanceClient $server -RedirectUri $redirect -RequirePkce }
        $run.Result | Should -BeExactly 'RESULT OK user=12345 refreshable=True auth=Post' -Because $run.Screen
        $run.Refresh | Should -BeExactly 'ROTATED access=True refresh=True'
        $run.Screen | Should -Match 'Sign in to TSheets and allow access: http://127\.0\.0\.1:\d+/api/v1/authorize\?response_type=code\S*code_challenge_method=S256'
        $run.Screen | Should -Match "Waiting up to 30 seconds for the sign-in to reach $([regex]::Escape($run.RedirectUri))"
        $run.Screen | Should -Match "Connected '$($run.Name)' to TSheets as user 12345"
        $run.BrowserLog | Should -Contain 'handed a page'
        $run.BrowserLog | Should -Contain 'authorize status 302'
        $run.BrowserLog | Should -Contain "redirect $($run.RedirectUri) with code,iss,state"
        $run.BrowserLog | Should -Contain 'callback status 200'
        $run.BrowserLog | Should -Contain 'cache-control no-store'
        $grants = @(Get-ClientRequests $run.Client.ClientId | ForEach-Object { "$($_.grant_type) $($_.status)" })
        $grants | Should -Be @('authorization_code 200', 'refresh_token 200')
    }

    It 'reports a denial at the server as AuthorizationDenied, sending nothing to /grant' {
        Set-ConformanceConsent $server deny
        try {
            $run = Invoke-InteractiveConnect $server -LogFolder $TestDrive -Name (New-Name) -ExtraArguments '-Scope offline_access' `
                -Register { param($redirect) New-ConformanceClient $server -RedirectUri $redirect }
        }
        finally { $pending = (Get-ConformanceStats $server).deny_pending; Set-ConformanceConsent $server approve }
        $run.Result | Should -Match "^RESULT ERROR AuthorizationDenied,$connect MESSAGE .*access_denied" -Because $run.Screen
        $run.BrowserLog | Should -Contain 'error access_denied'
        @(Get-ClientRequests $run.Client.ClientId).Count | Should -Be 0
        $pending | Should -BeFalse -Because 'the browser''s authorization request took the denial'
    }

    It 'with -NoPkce on a PKCE-required client: OpenIddict shows its own error page, nothing reaches the listener, AuthorizationTimedOut' {
        # Long enough for the browser to start and read its page, which the module removes when it times out.
        $run = Invoke-InteractiveConnect $server -LogFolder $TestDrive -Name (New-Name) -ExtraArguments '-Scope offline_access -NoPkce' -TimeoutSec 10 `
            -Register { param($redirect) New-ConformanceClient $server -RedirectUri $redirect -RequirePkce }
        $run.Result | Should -BeLike "RESULT ERROR AuthorizationTimedOut,$connect MESSAGE *" -Because $run.Screen
        $run.Screen | Should -Match 'allow access: http://\S+/authorize\?'
        $run.Screen | Should -Not -Match 'code_challenge='
        $run.BrowserLog | Should -Contain 'authorize status 400'
        ($run.BrowserLog -join "`n") | Should -Match 'error:invalid_request.*code_challenge'
        $run.BrowserLog | Should -Not -Contain 'callback status 200'
        @(Get-ClientRequests $run.Client.ClientId).Count | Should -Be 0
    }
}

Describe 'Authorization codes' {
    It 'refuses a reused code (GrantFailed, invalid_grant); the server revokes what it gave, and the module keeps the valid token with a warning' {
        $client = New-ConformanceClient $server -RedirectUri $pasteRedirect
        $authorization = New-Authorization $client
        $first = Connect-Pasted $authorization $client
        $err = { Connect-Pasted $authorization $client } | Should -Throw -ErrorId "GrantFailed,$connect" -PassThru
        $err.Exception.Message | Should -Match 'invalid_grant.*already been redeemed'
        # RFC 6749 4.1.2: a reused code revokes the tokens it issued; the first connection's access token is still in date.
        $kept = Get-TSheetsToken -Name $first.Name -ForceRefresh -WarningVariable warnings -WarningAction SilentlyContinue
        Get-Plain $kept.AccessToken | Should -BeExactly (Get-Plain $first.AccessToken)
        "$warnings" | Should -Match "could not be refreshed.*invalid_grant.*Sign in again: Connect-TSheets -Name '$($first.Name)'"
    }

    It 'refuses a code OpenIddict holds expired (its clock moved past the code''s lifetime) with GrantFailed, invalid_grant' {
        $client = New-ConformanceClient $server -RedirectUri $pasteRedirect
        $authorization = New-Authorization $client
        Step-ConformanceClock $server ($client.Registration.authorization_code_lifetime_seconds + 1) | Out-Null
        $err = { Connect-Pasted $authorization $client } | Should -Throw -ErrorId "GrantFailed,$connect" -PassThru
        $err.Exception.Message | Should -Match 'invalid_grant.*no longer valid'
        Format-Request (Get-ClientRequests $client.ClientId)[-1] | Should -BeExactly 'authorization_code 400'
    }

    It 'refuses an exchange with another redirect_uri than the authorization''s (GrantFailed, invalid_grant)' {
        $client = New-ConformanceClient $server -RedirectUri $pasteRedirect
        $authorization = New-Authorization $client
        $arguments = @{
            ClientId = $client.ClientId; ClientSecret = $client.ClientSecret; BaseUri = $server.BaseUri; Name = (New-Name)
            AuthorizationCode = $authorization.Answer.Query['code']; CodeVerifier = $authorization.Request.CodeVerifier
            RedirectUri = 'https://app.example/other'
        }
        $err = { Connect-TSheets @arguments } | Should -Throw -ErrorId "GrantFailed,$connect" -PassThru
        $err.Exception.Message | Should -Match 'invalid_grant.*redirect_uri'
        # The same code with the right redirect URI: this -AuthorizationCode exchange is otherwise sound.
        $arguments.RedirectUri = $pasteRedirect
        (Connect-TSheets @arguments -PassThru).UserId | Should -BeExactly '12345'
    }

    It 'reports a wrong client secret as InvalidClient; the code survives for a retry with the right one' {
        $client = New-ConformanceClient $server -RedirectUri $pasteRedirect
        $authorization = New-Authorization $client
        $wrong = ConvertTo-TestSecureString 'not-the-secret'
        $err = { Connect-Pasted $authorization $client -Secret $wrong } | Should -Throw -ErrorId "InvalidClient,$connect" -PassThru
        $err.Exception.Message | Should -Match 'invalid_client'
        $err.Exception.Message | Should -Not -Match 'not-the-secret'
        (Connect-Pasted $authorization $client).UserId | Should -BeExactly '12345'
    }
}

Describe 'Consent denied' {
    It 'reports error=access_denied on the pasted address as AuthorizationDenied, sending nothing to /grant' {
        $client = New-ConformanceClient $server -RedirectUri $pasteRedirect
        Set-ConformanceConsent $server deny
        try { $authorization = New-Authorization $client } finally { Set-ConformanceConsent $server approve }
        $authorization.Answer.Query['error'] | Should -BeExactly 'access_denied'
        $requests = Get-TokenRequestCount
        $err = { Connect-Pasted $authorization $client } | Should -Throw -ErrorId "AuthorizationDenied,$connect" -PassThru
        $err.Exception.Message | Should -Match 'access_denied'
        Get-TokenRequestCount | Should -Be $requests
    }
}

Describe 'A refresh token revoked at /api/v1/revoke' {
    It 'on a still-valid token: -ForceRefresh returns the valid token with a warning to sign in again' {
        $client = New-ConformanceClient $server -RedirectUri $pasteRedirect
        $token = Connect-Pasted (New-Authorization $client) $client
        (Invoke-RawRevoke $server $client (Get-Plain $token.RefreshToken)).Status | Should -Be 200
        $kept = Get-TSheetsToken -Name $token.Name -ForceRefresh -WarningVariable warnings -WarningAction SilentlyContinue
        Get-Plain $kept.AccessToken | Should -BeExactly (Get-Plain $token.AccessToken)
        "$warnings" | Should -Match "The token '$($token.Name)' could not be refreshed, so the current one.*is used: .*invalid_grant.*Sign in again: Connect-TSheets -Name '$($token.Name)'"
        Format-Request (Get-ClientRequests $client.ClientId)[-1] | Should -BeExactly 'refresh_token 400'
    }

    It 'on an expired token: -ForceRefresh fails with RefreshFailed saying to sign in again' {
        $client = New-ConformanceClient $server -RedirectUri $pasteRedirect
        $token = Connect-Pasted (New-Authorization $client) $client
        (Invoke-RawRevoke $server $client (Get-Plain $token.RefreshToken)).Status | Should -Be 200
        # Expired is the module's verdict, on its own (real) clock, from the expires_in it was given: the same pair,
        # stored again as it would be once its ExpiresOn has passed. The server's clock passes it too, so both agree.
        Step-ConformanceClock $server ($client.Registration.access_token_lifetime_seconds + 1) | Out-Null
        Set-TSheetsToken -Name $token.Name -AccessToken $token.AccessToken -RefreshToken $token.RefreshToken -ClientId $client.ClientId `
            -ClientSecret $client.ClientSecret -BaseUri $server.BaseUri -ExpiresOn ([DateTimeOffset]::UtcNow.AddSeconds(-1))
        $err = { Get-TSheetsToken -Name $token.Name -ForceRefresh } | Should -Throw -ErrorId "RefreshFailed,$getToken" -PassThru
        $err.Exception.Message | Should -Match "The token '$($token.Name)' expired on .* could not be refreshed: .*invalid_grant.*Sign in again: Connect-TSheets -Name '$($token.Name)'"
        Format-Request (Get-ClientRequests $client.ClientId)[-1] | Should -BeExactly 'refresh_token 400'
    }
}

Describe 'A PKCE-required client' {
    It 'signs in with PKCE (the default)' {
        $client = New-ConformanceClient $server -RedirectUri $pasteRedirect -RequirePkce
        (Connect-Pasted (New-Authorization $client) $client).UserId | Should -BeExactly '12345'
    }

    It 'with -NoPkce: the server answers with its own error page, so no address to paste exists; the one on screen is refused (InvalidRedirectUri)' {
        $client = New-ConformanceClient $server -RedirectUri $pasteRedirect -RequirePkce
        $authorization = New-Authorization $client -NoPkce
        $authorization.Request.CodeVerifier | Should -BeNullOrEmpty
        $authorization.Request.Url.Query | Should -Not -Match 'code_challenge'
        $authorization.Answer.Status | Should -Be 400
        $authorization.Answer.Location | Should -BeNullOrEmpty
        $authorization.Answer.Body | Should -Match 'error:invalid_request'
        $authorization.Answer.Body | Should -Match 'code_challenge'
        # The browser stays on the authorization URL: that is all a user could paste.
        $requests = Get-TokenRequestCount
        $request = $authorization.Request
        $err = { Connect-TSheets -ClientId $request.ClientId -ClientSecret $client.ClientSecret -RedirectUri $request.RedirectUri -State $request.State `
                -BaseUri $request.BaseUri -RedirectedUrl $request.Url -Name (New-Name) } |
            Should -Throw -ErrorId "InvalidRedirectUri,$connect" -PassThru
        $err.Exception.Message | Should -Match 'is not the redirect URI'
        Get-TokenRequestCount | Should -Be $requests
    }
}

Describe 'A client that does not require PKCE' {
    It 'signs in from a piped -NoPkce request (its CodeVerifier is null)' {
        $client = New-ConformanceClient $server -RedirectUri $pasteRedirect
        $authorization = New-Authorization $client -NoPkce
        $authorization.Answer.Query['code'] | Should -Not -BeNullOrEmpty
        (Connect-Pasted $authorization $client -ErrorAction Stop).UserId | Should -BeExactly '12345'
    }
}

Describe 'A client that must ask for a scope' {
    BeforeAll { $client = New-ConformanceClient $server -RedirectUri $pasteRedirect -RequiredScope 'timesheets' }

    It 'signs in with -Scope timesheets, offline_access, and refreshes' {
        $token = Connect-Pasted (New-Authorization $client -Scope 'timesheets', 'offline_access') $client
        $token.UserId | Should -BeExactly '12345'
        $rotated = Get-TSheetsToken -Name $token.Name -ForceRefresh
        Get-Plain $rotated.RefreshToken | Should -Not -BeExactly (Get-Plain $token.RefreshToken)
    }

    It 'fails without it: the server''s invalid_scope redirect is AuthorizationDenied, naming invalid_scope' {
        $authorization = New-Authorization $client -Scope 'offline_access'
        $authorization.Answer.Query['error'] | Should -BeExactly 'invalid_scope'
        $err = { Connect-Pasted $authorization $client } | Should -Throw -ErrorId "AuthorizationDenied,$connect" -PassThru
        $err.Exception.Message | Should -Match "invalid_scope.*must request the 'timesheets' scope"
    }
}

Describe 'A client registered for HTTP Basic only' {
    BeforeAll { $client = New-ConformanceClient $server -RedirectUri $pasteRedirect -ClientAuthentication basic }

    It 'signs in and refreshes with -ClientAuthentication Basic (the header, no secret in the body)' {
        $before = @(Get-ModuleTokenRequests $server).Count
        $token = Connect-Pasted (New-Authorization $client) $client -ClientAuthentication Basic
        $token.ClientAuthentication | Should -Be 'Basic'
        $rotated = Get-TSheetsToken -Name $token.Name -ForceRefresh
        Get-Plain $rotated.RefreshToken | Should -Not -BeExactly (Get-Plain $token.RefreshToken)
        $sent = @(Get-ModuleTokenRequests $server | Select-Object -Skip $before)
        @($sent | ForEach-Object { "$($_.grant_type) $($_.status) basic=$($_.basic_authorization) secret_in_body=$($_.client_secret_in_body)" }) |
            Should -Be @('authorization_code 200 basic=True secret_in_body=False', 'refresh_token 200 basic=True secret_in_body=False')
        # And from a refresh token alone (Connect-TSheets -RefreshToken), Basic is kept.
        $again = Connect-TSheets -ClientId $client.ClientId -ClientSecret $client.ClientSecret -ClientAuthentication Basic -RefreshToken $rotated.RefreshToken `
            -BaseUri $server.BaseUri -Name (New-Name) -PassThru
        $again.ClientAuthentication | Should -Be 'Basic'
        $again.CanRefresh | Should -BeTrue
    }

    It 'refuses Post at sign-in with InvalidClient whose message points at -ClientAuthentication' {
        $err = { Connect-Pasted (New-Authorization $client) $client -ClientAuthentication Post } | Should -Throw -ErrorId "InvalidClient,$connect" -PassThru
        $err.Exception.Message | Should -Match "client_secret_post.*-ClientAuthentication"
    }

    It 'refuses Post at refresh (Connect-TSheets -RefreshToken) with InvalidClient pointing at -ClientAuthentication' {
        $token = Connect-Pasted (New-Authorization $client) $client -ClientAuthentication Basic
        $err = { Connect-TSheets -ClientId $client.ClientId -ClientSecret $client.ClientSecret -ClientAuthentication Post -RefreshToken $token.RefreshToken -BaseUri $server.BaseUri -Name (New-Name) } |
            Should -Throw -ErrorId "InvalidClient,$connect" -PassThru
        $err.Exception.Message | Should -Match '-ClientAuthentication'
    }
}

Describe 'Wire format of every token request the module made' {
    It 'carries exactly one client authentication (Basic header xor client_secret in the body), never a Bearer' {
        $sent = @(Get-ModuleTokenRequests $server)
        # Every Describe above went through /grant; a count this low would mean the stats lost them.
        $sent.Count | Should -BeGreaterOrEqual 20
        $bad = @($sent | Where-Object {
                $_.method -ne 'POST' -or $_.content_type -notlike 'application/x-www-form-urlencoded*' -or
                $_.authorization_scheme -notin @($null, 'Basic') -or ($_.basic_authorization -eq $_.client_secret_in_body) -or
                ($_.basic_authorization -and $_.authorization_scheme -ne 'Basic')
            })
        $bad.Count | Should -Be 0 -Because "no request may carry a Bearer, two client authentications or none: $($bad | ConvertTo-Json -Compress)"
        @($sent | Where-Object basic_authorization).Count | Should -BeGreaterThan 0
        @($sent | Where-Object client_secret_in_body).Count | Should -BeGreaterThan 0
        @($sent | Where-Object grant_type -EQ 'refresh_token').Count | Should -BeGreaterThan 0
        @($sent | Where-Object grant_type -EQ 'authorization_code').Count | Should -BeGreaterThan 0
        @($sent | Where-Object { $_.grant_type -notin 'authorization_code', 'refresh_token' }).Count | Should -Be 0
    }
}
