BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $emulator = Start-TSheetsEmulator
}

AfterAll {
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'Connect-TSheets against the emulator' {
    BeforeEach {
        Reset-Emulator $emulator
        $client = New-EmulatorClient $emulator
        $name = New-ConnectionName
        $request = New-TSheetsAuthorizationUrl -ClientId $client.ClientId -RedirectUri $client.RedirectUri -BaseUri $emulator.BaseUri
        $common = @{ ClientId = $client.ClientId; ClientSecret = $client.ClientSecret; BaseUri = $emulator.BaseUri; Name = $name }
        $pkce = @{ CodeVerifier = $request.CodeVerifier }
        # How the emulator's stats show a secret: its SHA-256, never the value.
        function Get-Masked([string] $Value) {
            'sha256:' + ([BitConverter]::ToString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($Value))) -replace '-').Substring(0, 16).ToLowerInvariant()
        }
    }

    Context 'RedirectedUrl (paste-back)' {
        It 'exchanges the code, stores the token, and writes nothing to the output' {
            $redirected = Approve-Authorization $emulator $request.Url
            $output = Connect-TSheets @common @pkce -RedirectUri $client.RedirectUri -RedirectedUrl $redirected -State $request.State -InformationVariable info
            $output | Should -BeNullOrEmpty
            "$info" | Should -Match "Connected '$name' to TSheets as user 12345 of acmeco; the token is valid until .+ and refreshes itself\."
            $token = Get-TSheetsToken -Name $name
            $token.UserId | Should -Be '12345'
            $token.CompanyId | Should -Be '67890'
            $token.ClientUrl | Should -Be 'acmeco'
            $token.CanRefresh | Should -BeTrue
            $token.BaseUri | Should -Be $emulator.BaseUri
            $token.ExpiresOn | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddDays(9))
            (Get-EmulatorStats $emulator).grants.authorization_code | Should -Be 1
        }

        It 'takes ClientId, RedirectUri, State, CodeVerifier and BaseUri from a piped AuthorizationRequest' {
            $redirected = Approve-Authorization $emulator $request.Url
            $token = $request | Connect-TSheets -ClientSecret $client.ClientSecret -RedirectedUrl $redirected -Name $name -PassThru
            $token | Should -BeOfType ([TSheets.Auth.TSheetsToken])
            $token.Name | Should -Be $name
            $token.ClientId | Should -Be $client.ClientId
            ($token.AccessToken | ConvertFrom-TestSecureString) | Should -Match '^S\.7__[0-9a-f]{40}$'
            $sent = (Get-EmulatorStats $emulator).grant_requests[0]
            $sent.form.redirect_uri | Should -BeExactly 'https://app.example/callback'
            $sent.form.code_verifier | Should -BeExactly (Get-Masked $request.CodeVerifier)
            $sent.content_type | Should -BeLike 'application/x-www-form-urlencoded*'
            $sent.client_auth | Should -Be 'post'
            $sent.has_authorization | Should -BeFalse
        }

        It 'sends nothing to /grant when the state does not match' {
            $redirected = Approve-Authorization $emulator $request.Url
            { Connect-TSheets @common -RedirectUri $client.RedirectUri -RedirectedUrl $redirected -State 'forged' } |
                Should -Throw -ErrorId 'StateMismatch,TSheets.Auth.Commands.ConnectTSheetsCommand'
            (Get-EmulatorStats $emulator).grants.total | Should -Be 0
            Get-TSheetsToken -Name $name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'sends nothing to /grant when the state is missing' {
            $redirected = Approve-Authorization $emulator $request.Url -OmitState
            { Connect-TSheets @common -RedirectUri $client.RedirectUri -RedirectedUrl $redirected -State $request.State } |
                Should -Throw -ErrorId 'StateMismatch,TSheets.Auth.Commands.ConnectTSheetsCommand'
            (Get-EmulatorStats $emulator).grants.total | Should -Be 0
        }

        It 'reports a denial with TSheets'' description' {
            $redirected = Approve-Authorization $emulator $request.Url -Decision deny
            $err = { Connect-TSheets @common -RedirectUri $client.RedirectUri -RedirectedUrl $redirected -State $request.State } |
                Should -Throw -ErrorId 'AuthorizationDenied,TSheets.Auth.Commands.ConnectTSheetsCommand' -PassThru
            $err.Exception.Message | Should -Match 'access_denied.*The user denied access'
            $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $err.TargetObject | Should -Be $name
            (Get-EmulatorStats $emulator).grants.total | Should -Be 0
        }

        It 'refuses an address that is not the redirect URI' {
            $redirected = (Approve-Authorization $emulator $request.Url) -replace 'app\.example', 'evil.example'
            { Connect-TSheets @common -RedirectUri $client.RedirectUri -RedirectedUrl $redirected -State $request.State } |
                Should -Throw -ErrorId 'InvalidRedirectUri,TSheets.Auth.Commands.ConnectTSheetsCommand'
        }
    }

    Context 'errors from /grant' {
        It 'reports a wrong client secret as InvalidClient (HTTP 400, as TSheets answers), and the code stays good' {
            $redirected = Approve-Authorization $emulator $request.Url
            $wrong = @{} + $common; $wrong.ClientSecret = 'not-the-secret' | ConvertTo-TestSecureString
            $err = { Connect-TSheets @wrong @pkce -RedirectUri $client.RedirectUri -RedirectedUrl $redirected -State $request.State } |
                Should -Throw -ErrorId 'InvalidClient,TSheets.Auth.Commands.ConnectTSheetsCommand' -PassThru
            $err.Exception.StatusCode | Should -Be 400
            $err.Exception.Message | Should -Match '-ClientAuthentication'
            Connect-TSheets @common @pkce -RedirectUri $client.RedirectUri -RedirectedUrl $redirected -State $request.State
            (Get-TSheetsToken -Name $name).UserId | Should -Be '12345'
        }

        It 'signs in and refreshes with HTTP Basic client authentication, the secret never in the body' {
            $redirected = Approve-Authorization $emulator $request.Url
            $request | Connect-TSheets -ClientSecret $client.ClientSecret -RedirectedUrl $redirected -Name $name -ClientAuthentication Basic
            Get-TSheetsToken -Name $name -ForceRefresh | Out-Null
            $sent = (Get-EmulatorStats $emulator).grant_requests
            $sent.client_auth | Should -Be @('basic', 'basic')
            $sent.authorization_scheme | Should -Be @('Basic', 'Basic')
            $sent | ForEach-Object { $_.form.PSObject.Properties.Name | Should -Not -Contain 'client_secret' }
            (Get-TSheetsToken -Name $name).ClientAuthentication | Should -Be 'Basic'
        }

        It 'never sends the access token, nor a second client authentication, to /grant when refreshing' {
            $redirected = Approve-Authorization $emulator $request.Url
            $request | Connect-TSheets -ClientSecret $client.ClientSecret -RedirectedUrl $redirected -Name $name
            Get-TSheetsToken -Name $name -ForceRefresh | Out-Null
            $refresh = (Get-EmulatorStats $emulator).grant_requests[1]
            $refresh.grant_type | Should -Be 'refresh_token'
            $refresh.has_authorization | Should -BeFalse
            $refresh.client_auth | Should -Be 'post'
        }

        It 'reports an expired code as GrantFailed with TSheets'' error and description' {
            Set-EmulatorConfig $emulator @{ code_ttl_seconds = 0 }   # every code has expired by the time it is exchanged
            $redirected = Approve-Authorization $emulator $request.Url
            $err = { Connect-TSheets @common -RedirectUri $client.RedirectUri -RedirectedUrl $redirected -State $request.State } |
                Should -Throw -ErrorId 'GrantFailed,TSheets.Auth.Commands.ConnectTSheetsCommand' -PassThru
            $err.Exception.Message | Should -Match 'invalid_grant: The authorization code has expired'
            $err.Exception.ServerError | Should -Be 'invalid_grant'
        }

        It 'reports a code used twice as GrantFailed' {
            $code = ([uri](Approve-Authorization $emulator $request.Url)).Query -replace '.*code=([^&]+).*', '$1'
            Connect-TSheets @common @pkce -RedirectUri $client.RedirectUri -AuthorizationCode $code
            { Connect-TSheets @common @pkce -RedirectUri $client.RedirectUri -AuthorizationCode $code } |
                Should -Throw -ErrorId 'GrantFailed,TSheets.Auth.Commands.ConnectTSheetsCommand'
            Get-TSheetsToken -Name $name | Should -Not -BeNullOrEmpty
        }

        It 'sends a code exchange that fails on the way once more at once: the code is still good' {
            Add-EmulatorFault $emulator @{ path = '/api/v1/grant'; status = 502; body = 'bad gateway'; content_type = 'text/plain' }
            $redirected = Approve-Authorization $emulator $request.Url
            $request | Connect-TSheets -ClientSecret $client.ClientSecret -RedirectedUrl $redirected -Name $name
            (Get-TSheetsToken -Name $name).UserId | Should -Be '12345'
            (Get-EmulatorStats $emulator).grant_requests.status | Should -Be @(502, 200)
        }

        It 'reports <Status> as <ErrorId>' -TestCases @(
            @{ Status = 500; ErrorId = 'ServiceUnavailable'; Type = 'text/plain'; Body = 'boom' }
            @{ Status = 503; ErrorId = 'ServiceUnavailable'; Type = 'text/plain'; Body = 'down' }
            @{ Status = 499; ErrorId = 'IpBlocked'; Type = 'application/json'; Body = '{"error":{"code":499,"message":"IP blocked"}}' }
            @{ Status = 200; ErrorId = 'InvalidServerResponse'; Type = 'text/html'; Body = '<html><title>Sign in to Wi-Fi</title></html>' }
            @{ Status = 200; ErrorId = 'InvalidServerResponse'; Type = 'application/json'; Body = '{"token_type":"bearer"}' }
        ) {
            Add-EmulatorFault $emulator @{ path = '/api/v1/grant'; status = $Status; body = $Body; content_type = $Type; times = 2 }
            $redirected = Approve-Authorization $emulator $request.Url
            { Connect-TSheets @common @pkce -RedirectUri $client.RedirectUri -RedirectedUrl $redirected -State $request.State } |
                Should -Throw -ErrorId "$ErrorId,TSheets.Auth.Commands.ConnectTSheetsCommand"
            Get-TSheetsToken -Name $name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'reports a refused connection as ServiceUnavailable' {
            $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
            $common.BaseUri = "http://127.0.0.1:$port/api/v1"
            $err = { Connect-TSheets @common -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__abc' } |
                Should -Throw -ErrorId 'ServiceUnavailable,TSheets.Auth.Commands.ConnectTSheetsCommand' -PassThru
            $err.Exception.Message | Should -Match 'could not be reached'
        }

        It 'refuses http to a non-loopback host before any request' {
            $common.BaseUri = 'http://rest.tsheets.com/api/v1'
            { Connect-TSheets @common -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__abc' } |
                Should -Throw -ErrorId 'InvalidBaseUri,TSheets.Auth.Commands.ConnectTSheetsCommand'
        }
    }

    Context 'AuthorizationCode and RefreshToken' {
        It 'exchanges a code captured elsewhere' {
            $code = ([uri](Approve-Authorization $emulator $request.Url)).Query -replace '.*code=([^&]+).*', '$1'
            $token = Connect-TSheets @common @pkce -RedirectUri $client.RedirectUri -AuthorizationCode $code -PassThru
            $token.UserId | Should -Be '12345'
            (Get-EmulatorStats $emulator).grant_requests[0].form.code | Should -BeExactly (Get-Masked $code)
        }

        It 'starts a connection from a refresh token and stores the rotated one' {
            $minted = New-EmulatorToken $emulator -ClientId $client.ClientId
            $token = Connect-TSheets @common -RefreshToken ($minted.refresh_token | ConvertTo-TestSecureString) -PassThru
            ($token.RefreshToken | ConvertFrom-TestSecureString) | Should -Not -Be $minted.refresh_token
            (Get-EmulatorStats $emulator).grants.refresh_token | Should -Be 1
            (Get-TSheetsToken -Name $name -ForceRefresh).UserId | Should -Be '12345'
            (Get-EmulatorStats $emulator).grants.refresh_token | Should -Be 2
        }

        It 'reports a used refresh token as GrantFailed and keeps the connection it had' {
            $minted = New-EmulatorToken $emulator -ClientId $client.ClientId
            Connect-TSheets @common -RefreshToken ($minted.refresh_token | ConvertTo-TestSecureString)
            $before = Get-TSheetsToken -Name $name -AsPlainText
            { Connect-TSheets @common -RefreshToken ($minted.refresh_token | ConvertTo-TestSecureString) } |
                Should -Throw -ErrorId 'GrantFailed,TSheets.Auth.Commands.ConnectTSheetsCommand'
            Get-TSheetsToken -Name $name -AsPlainText | Should -BeExactly $before
        }
    }
}
