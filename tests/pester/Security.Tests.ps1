BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TerminalHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $emulator = Start-TSheetsEmulator
    Import-Module (Join-Path $PSScriptRoot 'VaultHelpers.psm1') -Force

    # Every connection in the session, with its access token: what "the session as it was" means.
    function Get-SessionSnapshot {
        (Get-TSheetsToken -Name * -NoRefresh -ErrorAction SilentlyContinue | ForEach-Object {
            $refresh = if ($_.RefreshToken) { $_.RefreshToken | ConvertFrom-TestSecureString }
            "$($_.Name)=$($_.AccessToken | ConvertFrom-TestSecureString)/$refresh"
        }) -join ';'
    }
}

AfterAll {
    Set-FlakyVault
    Remove-Item Env:TSHEETS_AUTH_GRANT_TIMEOUT_SEC -ErrorAction SilentlyContinue
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'Nothing secret reaches a transcript, a stream, or an error' {
    BeforeAll {
        Initialize-TestVault | Out-Null   # the real vault modules: this test stores in Ops and Flaky
    }

    It 'keeps every token, refresh token, client secret and code the emulator issued out of all of them' {
        Reset-Emulator $emulator
        Set-FlakyVault
        $client = New-EmulatorClient $emulator
        $common = @{ ClientId = $client.ClientId; ClientSecret = $client.ClientSecret; BaseUri = $emulator.BaseUri; Verbose = $true; Debug = $true }
        $errors = [System.Collections.Generic.List[object]]::new()
        function Step([scriptblock] $Action) {
            try { & $Action 2>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $errors.Add($_) } else { $_ | Out-Host } } }
            catch { $errors.Add($_) }
        }
        # A code the emulator issued, with the PKCE verifier its request carries (both flows need it).
        function New-Code {
            $request = New-TSheetsAuthorizationUrl -ClientId $client.ClientId -RedirectUri $client.RedirectUri -BaseUri $emulator.BaseUri
            $redirected = [uri](Approve-Authorization $emulator $request.Url)
            $code = [uri]::UnescapeDataString([regex]::Match($redirected.Query, '[?&]code=([^&]+)').Groups[1].Value)
            [pscustomobject]@{ Request = $request; Redirected = $redirected; Code = $code; Verifier = $request.CodeVerifier }
        }

        $transcript = Join-Path $TestDrive 'transcript.txt'
        $InformationPreference = 'Continue'
        $DebugPreference = 'Continue'
        Start-Transcript -Path $transcript -Force | Out-Null
        try {
            # Success paths.
            $flow = New-Code
            Step { $flow.Request | Format-List * | Out-Host }
            Step { $flow.Request | Connect-TSheets -ClientSecret $client.ClientSecret -RedirectedUrl $flow.Redirected -Name leak -PassThru -Verbose -Debug | Format-List * -Force }
            # The interactive flow cannot run in this process (its input is redirected): the other two halves of it can.
            $flow = New-Code
            Step { Connect-TSheets @common -Name leak-code -RedirectUri $client.RedirectUri -AuthorizationCode $flow.Code -CodeVerifier $flow.Verifier -PassThru | Format-List * -Force }
            Step { Get-TSheetsToken -Name leak -ForceRefresh -Verbose -Debug | Format-List * -Force }
            Step { Get-TSheetsToken -Name leak | ConvertTo-Json -Depth 4 }
            Step { Invoke-TSheetsRestMethod current_user -Name leak -Verbose -Debug | ConvertTo-Json -Depth 6 }
            $expired = (Get-TSheetsToken -Name leak).AccessToken | ConvertFrom-TestSecureString
            Invoke-Emulator $emulator '/_emulator/tokens/expire' -Method Post -Body @{ access_token = $expired } | Out-Null
            Step { Invoke-TSheetsRestMethod current_user -Name leak -Verbose -Debug | Out-Null }   # 401, refresh, retry
            Step { Get-TSheetsToken -Name leak | Set-TSheetsToken -Vault Ops -Verbose -Debug }
            Step { Get-TSheetsToken -Name leak -Vault Ops -Verbose -Debug | Format-Table | Out-Host }

            # Error paths.
            Step { Connect-TSheets @common -Name leak-bad -RedirectUri $client.RedirectUri -AuthorizationCode ('S.19__' + ('ab' * 20)) }
            $wrongSecret = @{} + $common; $wrongSecret.ClientSecret = 'e' * 40 | ConvertTo-TestSecureString
            $flow = New-Code
            Step { Connect-TSheets @wrongSecret -Name leak-bad -RedirectUri $client.RedirectUri -RedirectedUrl $flow.Redirected -State $flow.Request.State -CodeVerifier $flow.Verifier }
            $flow = New-Code
            Step { Connect-TSheets @common -Name leak-bad -RedirectUri $client.RedirectUri -AuthorizationCode $flow.Code -CodeVerifier ('w' * 43) }   # PKCE refused
            Set-EmulatorConfig $emulator @{ code_ttl_seconds = 0 }   # expired as soon as issued
            $flow = New-Code
            Step { Connect-TSheets @common -Name leak-bad -RedirectUri $client.RedirectUri -RedirectedUrl $flow.Redirected -State $flow.Request.State -CodeVerifier $flow.Verifier }
            Set-EmulatorConfig $emulator @{ code_ttl_seconds = 30 }
            $flow = New-Code
            Step { Connect-TSheets @common -Name leak-bad -RedirectUri $client.RedirectUri -RedirectedUrl $flow.Redirected -State 'forged' }
            Step { Connect-TSheets @common -Name leak-bad -RedirectUri $client.RedirectUri -RedirectedUrl "$($flow.Redirected)&state=twice" -State $flow.Request.State }
            Add-EmulatorFault $emulator @{ path = '/api/v1/grant'; status = 500; body = 'internal error'; content_type = 'text/plain' }
            Step { Get-TSheetsToken -Name leak -ForceRefresh -Verbose -Debug | Out-Null }
            Add-EmulatorFault $emulator @{ path = '/api/v1/grant'; status = 400; body = '{"error":"invalid_grant","error_description":"echo ' + $client.PlainSecret + '"}'; content_type = 'application/json' }
            Step { Get-TSheetsToken -Name leak -ForceRefresh -Verbose -Debug | Out-Null }
            Add-EmulatorFault $emulator @{ path = '/api/v1/current_user'; status = 503; body = 'down'; content_type = 'text/plain' }
            Step { Invoke-TSheetsRestMethod current_user -Name leak -MaximumRetryCount 0 -Verbose -Debug }
            Set-FlakyVault -FailSet -1 -FailGet -1 -Message 'vault exploded'
            Step { Get-TSheetsToken -Name leak | Set-TSheetsToken -Vault Flaky -Verbose -Debug }
            Set-FlakyVault -FailSet -1 -FailGet -1 -Message 'A valid password is required to access the Microsoft.PowerShell.SecretStore vault. Use the Unlock-SecretStore cmdlet.'
            Step { Get-TSheetsToken -Name leak-flaky -Vault Flaky -ForceRefresh -Verbose -Debug | Out-Null }
            Set-FlakyVault
            $flow = New-Code
            Step { Connect-TSheets @common -Name leak-vault -RedirectUri $client.RedirectUri -RedirectedUrl $flow.Redirected -State $flow.Request.State -CodeVerifier $flow.Verifier -Vault NoSuchVault }
            Step { Disconnect-TSheets -Name leak* -Vault Ops -Force -Verbose -Debug }
        }
        finally {
            Stop-Transcript | Out-Null
            $InformationPreference = 'SilentlyContinue'
            $DebugPreference = 'SilentlyContinue'
        }

        $errors.Count | Should -BeGreaterOrEqual 10
        $written = @(Get-Content -LiteralPath $transcript -Raw)
        foreach ($record in $errors) {
            $written += $record | Format-List * -Force | Out-String -Width 400
            $written += $record.Exception.ToString()
            $written += $record | Get-Error | Out-String -Width 400
        }
        $text = $written -join "`n"
        $text | Should -Match "Connected 'leak' to TSheets as user 12345"   # the transcript did record the session
        $text | Should -Match "Connected 'leak-code' to TSheets as user 12345"
        $text | Should -Match 'VERBOSE: Refreshed'
        $text | Should -Match 'InvalidClient'
        $text | Should -Match 'GrantFailed'
        $secrets = (Invoke-Emulator $emulator '/_emulator/secrets').values
        $secrets.Count | Should -BeGreaterThan 10
        foreach ($secret in $secrets) {
            $text.Contains($secret) | Should -BeFalse -Because "a secret issued by the emulator ($($secret.Substring(0, 6))...) must not be written anywhere"
        }
    }
}

Describe 'Bad input ends in a documented error ID and leaves the session as it was' {
    BeforeAll {
        Reset-Emulator $emulator
        $client = New-EmulatorClient $emulator
        Set-TSheetsToken -Name keeper -AccessToken ('S.7__keeper' | ConvertTo-TestSecureString) -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(30))
        $minted = New-EmulatorToken $emulator -ClientId $client.ClientId
        Set-TSheetsToken -Name api -AccessToken ($minted.access_token | ConvertTo-TestSecureString) -BaseUri $emulator.BaseUri -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(9))
        $request = New-TSheetsAuthorizationUrl -ClientId $client.ClientId -RedirectUri $client.RedirectUri -BaseUri $emulator.BaseUri -State 'the-state'
        $connect = @{ ClientId = $client.ClientId; ClientSecret = $client.ClientSecret; BaseUri = $emulator.BaseUri; Name = 'matrix' }
        $empty = [securestring]::new()
        $blank = '   ' | ConvertTo-TestSecureString
        $grantFaultBase = @{ path = '/api/v1/grant'; status = 200; content_type = 'application/json' }
        $apiFaultBase = @{ path = '/api/v1/current_user'; status = 200; content_type = 'application/json' }
    }

    BeforeEach {
        Invoke-Emulator $emulator '/_emulator/faults' -Method Delete | Out-Null
        $before = Get-SessionSnapshot
    }

    It '<Case> -> <ErrorId>' -TestCases @(
        # URIs
        @{ Case = 'relative redirect URI'; ErrorId = 'InvalidRedirectUri'; Command = 'NewTSheetsAuthorizationUrl'; Run = { New-TSheetsAuthorizationUrl -ClientId c -RedirectUri 'callback' } }
        @{ Case = 'http redirect to a non-loopback host'; ErrorId = 'InvalidRedirectUri'; Command = 'NewTSheetsAuthorizationUrl'; Run = { New-TSheetsAuthorizationUrl -ClientId c -RedirectUri 'http://app.example/cb' } }
        @{ Case = 'redirect to a custom scheme'; ErrorId = 'InvalidRedirectUri'; Command = 'NewTSheetsAuthorizationUrl'; Run = { New-TSheetsAuthorizationUrl -ClientId c -RedirectUri 'myapp://cb' } }
        @{ Case = 'redirect with a fragment'; ErrorId = 'InvalidRedirectUri'; Command = 'NewTSheetsAuthorizationUrl'; Run = { New-TSheetsAuthorizationUrl -ClientId c -RedirectUri 'https://app.example/cb#x' } }
        @{ Case = 'http base URI to a non-loopback host'; ErrorId = 'InvalidBaseUri'; Command = 'NewTSheetsAuthorizationUrl'; Run = { New-TSheetsAuthorizationUrl -ClientId c -RedirectUri 'https://app.example/cb' -BaseUri 'http://rest.tsheets.com/api/v1' } }
        @{ Case = 'relative base URI'; ErrorId = 'InvalidBaseUri'; Command = 'NewTSheetsAuthorizationUrl'; Run = { New-TSheetsAuthorizationUrl -ClientId c -RedirectUri 'https://app.example/cb' -BaseUri 'api/v1' } }
        @{ Case = 'base URI with a query'; ErrorId = 'InvalidBaseUri'; Command = 'NewTSheetsAuthorizationUrl'; Run = { New-TSheetsAuthorizationUrl -ClientId c -RedirectUri 'https://app.example/cb' -BaseUri 'https://rest.tsheets.com/api/v1?x=1' } }
        @{ Case = 'file base URI'; ErrorId = 'InvalidBaseUri'; Command = 'NewTSheetsAuthorizationUrl'; Run = { New-TSheetsAuthorizationUrl -ClientId c -RedirectUri 'https://app.example/cb' -BaseUri 'file:///etc/passwd' } }
        @{ Case = 'base URI with a user name'; ErrorId = 'InvalidBaseUri'; Command = 'ConnectTSheetsCommand'; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' -BaseUri 'https://me@rest.tsheets.com/api/v1' } }
        @{ Case = 'http base URI when connecting'; ErrorId = 'InvalidBaseUri'; Command = 'ConnectTSheetsCommand'; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' -BaseUri 'http://10.0.0.1/api/v1' } }
        # IDs and secrets
        @{ Case = 'empty client ID'; ErrorId = 'ParameterArgumentValidationError'; Command = 'NewTSheetsAuthorizationUrl'; Run = { New-TSheetsAuthorizationUrl -ClientId '' -RedirectUri 'https://app.example/cb' } }
        @{ Case = 'white-space client ID'; ErrorId = 'ParameterArgumentValidationError'; Command = 'ConnectTSheetsCommand'; Run = { Connect-TSheets @connect -ClientId '  ' -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'white-space connection name'; ErrorId = 'ParameterArgumentValidationError'; Command = 'GetTSheetsTokenCommand'; Run = { Get-TSheetsToken -Name ' ' } }
        @{ Case = 'empty client secret'; ErrorId = 'ParameterArgumentValidationError'; Command = 'ConnectTSheetsCommand'; Run = { Connect-TSheets @connect -ClientSecret $empty -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'white-space client secret'; ErrorId = 'ParameterArgumentValidationError'; Command = 'ConnectTSheetsCommand'; Run = { Connect-TSheets @connect -ClientSecret $blank -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'empty refresh token'; ErrorId = 'ParameterArgumentValidationError'; Command = 'ConnectTSheetsCommand'; Run = { Connect-TSheets @connect -RefreshToken $empty } }
        @{ Case = 'empty access token'; ErrorId = 'ParameterArgumentValidationError'; Command = 'SetTSheetsTokenCommand'; Run = { Set-TSheetsToken -Name matrix -AccessToken $empty } }
        @{ Case = 'white-space code'; ErrorId = 'ParameterArgumentValidationError'; Command = 'ConnectTSheetsCommand'; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode ' ' } }
        @{ Case = 'an expired web-UI token'; ErrorId = 'TokenExpired'; Command = 'SetTSheetsTokenCommand'; Run = { Set-TSheetsToken -Name matrix -AccessToken ('S.7__old' | ConvertTo-TestSecureString) -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(-1)) } }
        @{ Case = 'a connection that does not exist'; ErrorId = 'TokenNotFound'; Command = 'GetTSheetsTokenCommand'; Run = { Get-TSheetsToken -Name matrix-none -ErrorAction Stop } }
        # Redirected addresses
        @{ Case = 'redirected URL without a code'; ErrorId = 'InvalidRedirectUri'; Command = 'ConnectTSheetsCommand'; Run = { $request | Connect-TSheets -ClientSecret $client.ClientSecret -Name matrix -RedirectedUrl "$($client.RedirectUri)?state=the-state" } }
        @{ Case = 'redirected URL with an error'; ErrorId = 'AuthorizationDenied'; Command = 'ConnectTSheetsCommand'; Run = { $request | Connect-TSheets -ClientSecret $client.ClientSecret -Name matrix -RedirectedUrl "$($client.RedirectUri)?error=access_denied&state=the-state" } }
        @{ Case = 'redirected URL with an error and a forged state'; ErrorId = 'StateMismatch'; Command = 'ConnectTSheetsCommand'; Run = { $request | Connect-TSheets -ClientSecret $client.ClientSecret -Name matrix -RedirectedUrl "$($client.RedirectUri)?error=access_denied&state=forged" } }
        @{ Case = 'redirected URL with a 200 KB code'; ErrorId = 'InvalidRedirectUri'; Command = 'ConnectTSheetsCommand'; Run = { $request | Connect-TSheets -ClientSecret $client.ClientSecret -Name matrix -RedirectedUrl "$($client.RedirectUri)?state=the-state&code=$('a' * 204800)" } }
        @{ Case = 'redirected URL with two states'; ErrorId = 'StateMismatch'; Command = 'ConnectTSheetsCommand'; Run = { $request | Connect-TSheets -ClientSecret $client.ClientSecret -Name matrix -RedirectedUrl "$($client.RedirectUri)?code=S.19__c&state=the-state&state=the-state" } }
        @{ Case = 'redirected URL on another host'; ErrorId = 'InvalidRedirectUri'; Command = 'ConnectTSheetsCommand'; Run = { $request | Connect-TSheets -ClientSecret $client.ClientSecret -Name matrix -RedirectedUrl 'https://evil.example/callback?code=S.19__c&state=the-state' } }
        @{ Case = 'relative redirected URL'; ErrorId = 'InvalidRedirectUri'; Command = 'ConnectTSheetsCommand'; Run = { $request | Connect-TSheets -ClientSecret $client.ClientSecret -Name matrix -RedirectedUrl '/callback?code=S.19__c&state=the-state' } }
        # Token responses
        @{ Case = 'a truncated token answer'; ErrorId = 'InvalidServerResponse'; Command = 'ConnectTSheetsCommand'; Fault = @{ body = '{"access_token":"S.7__ab' }; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'an empty token answer'; ErrorId = 'InvalidServerResponse'; Command = 'ConnectTSheetsCommand'; Fault = @{ body = '' }; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'a null token answer'; ErrorId = 'InvalidServerResponse'; Command = 'ConnectTSheetsCommand'; Fault = @{ body = 'null' }; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'an array token answer'; ErrorId = 'InvalidServerResponse'; Command = 'ConnectTSheetsCommand'; Fault = @{ body = '[{"access_token":"S.7__x"}]' }; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'an HTML token answer'; ErrorId = 'InvalidServerResponse'; Command = 'ConnectTSheetsCommand'; Fault = @{ body = '<html><title>Log in to the Wi-Fi</title></html>'; content_type = 'text/html' }; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'a numeric access token'; ErrorId = 'InvalidServerResponse'; Command = 'ConnectTSheetsCommand'; Fault = @{ body = '{"access_token":12345,"expires_in":3600}' }; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'no access token'; ErrorId = 'InvalidServerResponse'; Command = 'ConnectTSheetsCommand'; Fault = @{ body = '{"token_type":"bearer","expires_in":3600}' }; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'a negative expires_in'; ErrorId = 'InvalidServerResponse'; Command = 'ConnectTSheetsCommand'; Fault = @{ body = '{"access_token":"S.7__x","expires_in":-60}' }; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'an absurd expires_in'; ErrorId = 'InvalidServerResponse'; Command = 'ConnectTSheetsCommand'; Fault = @{ body = '{"access_token":"S.7__x","expires_in":1e15}' }; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'a text expires_in'; ErrorId = 'InvalidServerResponse'; Command = 'ConnectTSheetsCommand'; Fault = @{ body = '{"access_token":"S.7__x","expires_in":"tomorrow"}' }; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'a wrong token type'; ErrorId = 'InvalidServerResponse'; Command = 'ConnectTSheetsCommand'; Fault = @{ body = '{"access_token":"S.7__x","token_type":"mac"}' }; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'an object user_id'; ErrorId = 'InvalidServerResponse'; Command = 'ConnectTSheetsCommand'; Fault = @{ body = '{"access_token":"S.7__x","user_id":{"id":1}}' }; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'an oversized token answer'; ErrorId = 'InvalidServerResponse'; Command = 'ConnectTSheetsCommand'; Fault = @{ body = '{"access_token":"S.7__x","pad":"' + ('x' * 1100000) + '"}' }; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'an OAuth error answer'; ErrorId = 'GrantFailed'; Command = 'ConnectTSheetsCommand'; Fault = @{ status = 400; body = '{"error":"invalid_grant","error_description":"The authorization code is invalid"}' }; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'a client error answer'; ErrorId = 'InvalidClient'; Command = 'ConnectTSheetsCommand'; Fault = @{ status = 401; body = '{"error":"invalid_client"}' }; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'a plain-text error answer'; ErrorId = 'GrantFailed'; Command = 'ConnectTSheetsCommand'; Fault = @{ status = 400; body = 'Bad Request'; content_type = 'text/plain' }; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        @{ Case = 'an API-shaped error answer from /grant'; ErrorId = 'GrantFailed'; Command = 'ConnectTSheetsCommand'; Fault = @{ status = 417; body = '{"error":{"code":417,"message":"Expectation Failed"}}' }; Run = { Connect-TSheets @connect -RedirectUri $client.RedirectUri -AuthorizationCode 'S.19__x' } }
        # API error bodies
        @{ Case = 'an API error in the TSheets shape'; ErrorId = 'ApiError'; Command = 'InvokeTSheetsRestMethodCommand'; ApiFault = @{ status = 417; body = '{"error":{"code":417,"message":"Expectation Failed: bad"}}' }; Run = { Invoke-TSheetsRestMethod current_user -Name api } }
        @{ Case = 'an API error in the OAuth shape'; ErrorId = 'ApiError'; Command = 'InvokeTSheetsRestMethodCommand'; ApiFault = @{ status = 400; body = '{"error":"invalid_request","error_description":"bad"}' }; Run = { Invoke-TSheetsRestMethod current_user -Name api } }
        @{ Case = 'an API error in plain text'; ErrorId = 'ApiError'; Command = 'InvokeTSheetsRestMethodCommand'; ApiFault = @{ status = 404; body = 'Not Found'; content_type = 'text/plain' }; Run = { Invoke-TSheetsRestMethod current_user -Name api } }
        @{ Case = 'an API answer in HTML'; ErrorId = 'InvalidServerResponse'; Command = 'InvokeTSheetsRestMethodCommand'; ApiFault = @{ body = '<html></html>'; content_type = 'text/html' }; Run = { Invoke-TSheetsRestMethod current_user -Name api } }
        @{ Case = 'a truncated API answer'; ErrorId = 'InvalidServerResponse'; Command = 'InvokeTSheetsRestMethodCommand'; ApiFault = @{ body = '{"results":{' }; Run = { Invoke-TSheetsRestMethod current_user -Name api } }
        @{ Case = 'a path that leaves the base URI'; ErrorId = 'InvalidPath'; Command = 'InvokeTSheetsRestMethodCommand'; Run = { Invoke-TSheetsRestMethod 'https://evil.example/x' -Name api } }
    ) {
        foreach ($pair in @(@($grantFaultBase, $Fault), @($apiFaultBase, $ApiFault))) {
            if (-not $pair[1]) { continue }
            $spec = $pair[0].Clone()
            foreach ($key in $pair[1].Keys) { $spec[$key] = $pair[1][$key] }
            Add-EmulatorFault $emulator $spec
        }
        $err = { & $Run } | Should -Throw -ErrorId "$ErrorId,TSheets.Auth.Commands.$($Command -replace 'Command$', '')Command" -PassThru
        $err.Exception | Should -Not -BeNullOrEmpty
        if ($ErrorId -ne 'ParameterArgumentValidationError') { $err.Exception | Should -BeOfType ([TSheets.Auth.TSheetsAuthException]) }
        Get-SessionSnapshot | Should -BeExactly $before
    }
}

Describe 'Faults end in a clear error within the timeout' {
    BeforeDiscovery {
        # Tries: a code exchange that fails on the way (5xx, a reset, a timeout) is sent once more at once.
        $faults = @(
            @{ Fault = 'a server that never answers'; ErrorId = 'ServiceUnavailable'; Spec = @{ hang = $true }; Said = 'did not answer within 2 seconds'; Tries = 2 }
            @{ Fault = 'an answer past the timeout'; ErrorId = 'ServiceUnavailable'; Spec = @{ delay_ms = 4000; status = 200; body = '{}' }; Said = 'did not answer within 2 seconds'; Tries = 2 }
            @{ Fault = 'HTTP 500'; ErrorId = 'ServiceUnavailable'; Spec = @{ status = 500; body = 'boom'; content_type = 'text/plain' }; Said = '500'; Tries = 2 }
            @{ Fault = 'HTTP 502'; ErrorId = 'ServiceUnavailable'; Spec = @{ status = 502; body = 'bad gateway'; content_type = 'text/plain' }; Said = '502'; Tries = 2 }
            @{ Fault = 'HTTP 503'; ErrorId = 'ServiceUnavailable'; Spec = @{ status = 503; body = 'unavailable'; content_type = 'text/plain' }; Said = '503'; Tries = 2 }
            @{ Fault = 'HTTP 499'; ErrorId = 'IpBlocked'; Spec = @{ status = 499; body = '{"error":{"code":499,"message":"IP blocked"}}'; content_type = 'application/json' }; Said = 'IP restrictions'; Tries = 1 }
            @{ Fault = 'a reset connection'; ErrorId = 'ServiceUnavailable'; Spec = @{ abort = $true }; Said = 'could not be reached|connection'; Tries = 2 }
        )
    }

    BeforeAll {
        Reset-Emulator $emulator
        $client = New-EmulatorClient $emulator
        $minted = New-EmulatorToken $emulator -ClientId $client.ClientId
        Set-TSheetsToken -Name fault -AccessToken ($minted.access_token | ConvertTo-TestSecureString) -BaseUri $emulator.BaseUri -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(9))
        $connect = @{ ClientId = $client.ClientId; ClientSecret = $client.ClientSecret; BaseUri = $emulator.BaseUri; Name = 'fault-connect'; RedirectUri = $client.RedirectUri; AuthorizationCode = 'S.19__x' }
    }

    BeforeEach { Invoke-Emulator $emulator '/_emulator/faults' -Method Delete | Out-Null }

    Context 'on /grant, in a fresh pwsh with TSHEETS_AUTH_GRANT_TIMEOUT_SEC=2' -ForEach @(@{ Faults = $faults }) {
        # The module reads the variable when it first builds its token client, once per process:
        # this process did that long ago, so the exchanges run in a child that has it from the start.
        BeforeAll {
            $specs = ($Faults | ConvertTo-Json -Depth 5 -Compress) -replace "'", "''"
            $script = @"
`$secret = ConvertTo-SecureString '$($client.PlainSecret)' -AsPlainText -Force
foreach (`$case in ('$specs' | ConvertFrom-Json)) {
    Invoke-RestMethod -Method Delete -Uri '$($emulator.Url)/_emulator/faults' | Out-Null
    `$spec = @{ path = '/api/v1/grant'; times = 2 }
    foreach (`$field in `$case.Spec.PSObject.Properties) { `$spec[`$field.Name] = `$field.Value }
    Invoke-RestMethod -Method Post -Uri '$($emulator.Url)/_emulator/faults' -Body (`$spec | ConvertTo-Json) -ContentType 'application/json' | Out-Null
    `$before = @((Invoke-RestMethod -Uri '$($emulator.Url)/_emulator/stats').grant_requests).Count
    `$watch = [Diagnostics.Stopwatch]::StartNew()
    `$id = 'none'; `$message = ''
    try { Connect-TSheets -ClientId '$($client.ClientId)' -ClientSecret `$secret -RedirectUri '$($client.RedirectUri)' -BaseUri '$($emulator.BaseUri)' -AuthorizationCode 'S.19__x' -Name fault-connect }
    catch { `$id = `$_.FullyQualifiedErrorId; `$message = `$_.Exception.Message }
    `$seconds = `$watch.Elapsed.TotalSeconds
    # A dropped request is recorded when the emulator notices: wait until every arrival is recorded.
    `$deadline = [DateTime]::UtcNow.AddSeconds(30)
    do { `$stats = Invoke-RestMethod -Uri '$($emulator.Url)/_emulator/stats' }
    while (@(`$stats.grant_requests).Count -lt `$stats.grant_arrivals -and [DateTime]::UtcNow -lt `$deadline)
    `$after = @(`$stats.grant_requests).Count
    'RESULT ' + (@{ Fault = `$case.Fault; Id = `$id; Message = `$message; Seconds = `$seconds; Requests = `$after - `$before } | ConvertTo-Json -Compress)
}
"@
            $env:TSHEETS_AUTH_GRANT_TIMEOUT_SEC = '2'
            try { $child = Invoke-FreshPwsh $script }
            finally { Remove-Item Env:TSHEETS_AUTH_GRANT_TIMEOUT_SEC -ErrorAction SilentlyContinue }
            $grant = @{}
            foreach ($line in $child.Output -match '^RESULT ') {
                $result = $line.Substring(7) | ConvertFrom-Json
                $grant[$result.Fault] = $result
            }
        }

        It '/grant: <Fault> -> <ErrorId>, sent <Tries> time(s)' -ForEach $faults {
            $result = $grant[$Fault]
            $result | Should -Not -BeNullOrEmpty -Because ($child.Output -join "`n")
            $result.Id | Should -Be "$ErrorId,TSheets.Auth.Commands.ConnectTSheetsCommand"
            $result.Seconds | Should -BeLessThan 8
            $result.Message | Should -Match $Said
            $result.Requests | Should -Be $Tries
        }
    }

    It '/current_user: <Fault> -> <ErrorId>' -ForEach $faults {
        Add-EmulatorFault $emulator (@{ path = '/api/v1/current_user' } + $Spec)
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $err = { Invoke-TSheetsRestMethod current_user -Name fault -TimeoutSec 2 -MaximumRetryCount 0 } |
            Should -Throw -ErrorId "$ErrorId,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand" -PassThru
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 8
        $err.Exception.Message | Should -Match $Said
    }

    It 'reports a refused connection to /<Target> clearly' -TestCases @(@{ Target = 'grant' }, @{ Target = 'current_user' }) {
        $closed = "http://127.0.0.1:$(Get-FreePort)/api/v1"
        $err = if ($Target -eq 'grant') {
            { Connect-TSheets @connect -BaseUri $closed } | Should -Throw -ErrorId 'ServiceUnavailable,TSheets.Auth.Commands.ConnectTSheetsCommand' -PassThru
        }
        else {
            Set-TSheetsToken -Name fault-closed -AccessToken ('S.7__x' | ConvertTo-TestSecureString) -BaseUri $closed
            { Invoke-TSheetsRestMethod current_user -Name fault-closed } | Should -Throw -ErrorId 'ServiceUnavailable,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand' -PassThru
        }
        $err.Exception.Message | Should -Match 'connection was refused'
    }

    It 'reports a name that does not resolve as a DNS failure' {
        $err = { Connect-TSheets @connect -BaseUri 'https://no-such-host.invalid/api/v1' } |
            Should -Throw -ErrorId 'ServiceUnavailable,TSheets.Auth.Commands.ConnectTSheetsCommand' -PassThru
        $err.Exception.Message | Should -Match 'could not be resolved \(DNS\)'
    }

    It 'reports a TLS failure as such' {
        # A plain-http server spoken to with https: the TLS handshake fails.
        $err = { Connect-TSheets @connect -BaseUri ($emulator.BaseUri -replace '^http:', 'https:') } |
            Should -Throw -ErrorId 'ServiceUnavailable,TSheets.Auth.Commands.ConnectTSheetsCommand' -PassThru
        $err.Exception.Message | Should -Match 'TLS'
    }
}

Describe 'Nothing is lost' {
    It 'keeps the rotated pair when Ctrl+C stops Get-TSheetsToken in the middle of a refresh' {
        Reset-Emulator $emulator
        $client = New-EmulatorClient $emulator
        $minted = New-EmulatorToken $emulator -ClientId $client.ClientId
        Set-TSheetsToken -Name ctrlc -BaseUri $emulator.BaseUri -ClientId $client.ClientId -ClientSecret $client.ClientSecret `
            -AccessToken ($minted.access_token | ConvertTo-TestSecureString) -RefreshToken ($minted.refresh_token | ConvertTo-TestSecureString) -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(9))
        Add-EmulatorFault $emulator @{ path = '/api/v1/grant'; delay_ms = 2000 }
        $shell = [PowerShell]::Create()
        $null = $shell.AddScript("Import-Module '$(Get-TestModulePath)'; Get-TSheetsToken -Name ctrlc -ForceRefresh")
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $pending = $shell.BeginInvoke()
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ((Get-EmulatorStats $emulator).grant_arrivals -lt 1) {   # the refresh is on its way
            if ([DateTime]::UtcNow -gt $deadline) { throw 'The refresh never reached the emulator.' }
            Start-Sleep -Milliseconds 20
        }
        $watch.Restart()
        $shell.Stop()                                  # what Ctrl+C does
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
        $shell.InvocationStateInfo.State | Should -Be 'Stopped'
        $shell.Dispose()
        $deadline = [DateTime]::UtcNow.AddSeconds(30)   # the refresh finishes in the background
        while ((Get-TSheetsToken -Name ctrlc -NoRefresh -AsPlainText) -eq $minted.access_token) {
            if ([DateTime]::UtcNow -gt $deadline) { throw 'The rotated pair never reached the session.' }
            Start-Sleep -Milliseconds 20
        }
        $now = Get-TSheetsToken -Name ctrlc -NoRefresh
        ($now.AccessToken | ConvertFrom-TestSecureString) | Should -Not -Be $minted.access_token
        # The stored refresh token is the rotated one: it still works.
        (Get-TSheetsToken -Name ctrlc -ForceRefresh).UserId | Should -Be '12345'
        (Get-EmulatorStats $emulator).grants.refresh_token | Should -Be 2
    }
}

# Issue 12: an outside audit's findings, one test each, doing what the audit did.
# (Finding 1 is Automation.Tests.ps1; 8, a false browser warning, and 9, the listener's head cap,
# are xunit tests of the browser launcher and the listener.)
Describe 'What the audit found (issue 12) stays fixed' {
    BeforeAll {
        Reset-Emulator $emulator
        Set-FlakyVault
        $client = New-EmulatorClient $emulator
        $minted = New-EmulatorToken $emulator -ClientId $client.ClientId
        Set-TSheetsToken -Name audit-api -AccessToken ($minted.access_token | ConvertTo-TestSecureString) -BaseUri $emulator.BaseUri -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(9))
        function Get-ApiRequestCount { @((Get-EmulatorStats $emulator).api_requests).Count }
        function Get-GrantRequestCount { @((Get-EmulatorStats $emulator).grant_requests).Count }

        # Runs a failing command under a transcript, shows its error as the console would, and
        # returns the error and every text a secret could be in: the message, the exception,
        # Format-List * -Force, Get-Error, $Error and the transcript.
        function Invoke-Failing([scriptblock] $Action) {
            $transcript = Join-Path $TestDrive "transcript-$([guid]::NewGuid().ToString('n')).txt"
            Start-Transcript -Path $transcript -Force | Out-Null
            try {
                $caught = $null
                try { & $Action } catch { $caught = $_ }
                if ($caught) { $caught | Out-Host }
            }
            finally { Stop-Transcript | Out-Null }
            $texts = @(
                $caught.Exception.Message
                $caught.Exception.ToString()
                $caught | Format-List * -Force | Out-String -Width 4096
                $caught | Get-Error | Out-String -Width 4096
                $global:Error | Select-Object -First 3 | Format-List * -Force | Out-String -Width 4096
                Get-Content -LiteralPath $transcript -Raw
            )
            [pscustomobject]@{ Error = $caught; Text = $texts -join "`n" }
        }

        # A text of Length characters with Secret placed to straddle position Cut (where server text is shortened).
        function New-StraddlingText([string] $Secret, [string] $Prefix = '', [int] $Cut = 300) {
            $Prefix + ('x' * ($Cut - [int]($Secret.Length / 2) - $Prefix.Length)) + $Secret + ' tail of the message'
        }

        # Not shaped like anything TSheets issues (no S.N__ prefix, not 40 hex digits, no key=):
        # only exact-secret scrubbing can find them.
        function New-PlainSecret([string] $Kind) { "plain-$Kind-0000-" + -join (1..24 | ForEach-Object { [char](Get-Random -Minimum 103 -Maximum 123) }) }
    }

    BeforeEach { Invoke-Emulator $emulator '/_emulator/faults' -Method Delete | Out-Null }

    Context 'finding 2: header injection through -ManagedClientId' {
        It 'refuses a -ManagedClientId <Case> at parameter binding, and nothing reaches the emulator' -ForEach @(
            @{ Case = 'with CR/LF and a header after it'; Value = "42`r`nX-Injected: yes" }
            @{ Case = 'with a bare LF'; Value = "42`nX-Injected: yes" }
            @{ Case = 'of Arabic-Indic digits'; Value = "$([char]0x0664)$([char]0x0662)" }
            @{ Case = 'of full-width digits'; Value = "$([char]0xFF14)$([char]0xFF12)" }
        ) {
            $before = Get-ApiRequestCount
            { Invoke-TSheetsRestMethod current_user -Name audit-api -ManagedClientId $Value } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand'
            Get-ApiRequestCount | Should -Be $before
        }

        It 'sends a managed-client ID of ASCII digits as the header (the control)' {
            Invoke-TSheetsRestMethod current_user -Name audit-api -ManagedClientId 70001 | Out-Null
            (Get-EmulatorStats $emulator).api_requests[-1].managed_client_id | Should -Be '70001'
        }
    }

    Context 'finding 3: a -Path that leaves the base URI' {
        BeforeAll {
            # A base URI with a path, like the emulator's, on a port that only counts connections:
            # no request, recorded or not, may reach it; the bearer token would have been in it.
            $tripwire = Start-TcpTripwire
            Set-TSheetsToken -Name audit-trip -AccessToken ('S.7__tripwire' | ConvertTo-TestSecureString) -BaseUri "$($tripwire.Url)/api/v1"
        }

        AfterAll { Stop-TcpTripwire $tripwire | Out-Null }

        It 'refuses <Path> with InvalidPath before any connection' -ForEach @(
            @{ Path = '%2e%2e/%2e%2e/tenant-b/api/v1/users' }
            @{ Path = '..\..\x' }
            @{ Path = 'x/%2e%2e/%2e%2e/%2e%2e/root' }
            @{ Path = '.%2E/.%2E/admin' }
        ) {
            $before = Get-TcpTripwireCount $tripwire
            { Invoke-TSheetsRestMethod $Path -Name audit-trip -TimeoutSec 2 -MaximumRetryCount 0 } |
                Should -Throw -ErrorId 'InvalidPath,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand'
            Get-TcpTripwireCount $tripwire | Should -Be $before
        }

        It 'does connect for a path under the base URI (the control)' {
            $before = Get-TcpTripwireCount $tripwire
            { Invoke-TSheetsRestMethod 'users/../current_user' -Name audit-trip -TimeoutSec 1 -MaximumRetryCount 0 } |
                Should -Throw -ErrorId 'ServiceUnavailable,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand'
            Get-TcpTripwireCount $tripwire | Should -BeGreaterThan $before
        }
    }

    Context 'finding 4: a secret of any shape echoed by a server, also where the text is cut' {
        BeforeAll {
            $plainToken = New-PlainSecret 'token'
            Set-TSheetsToken -Name audit-plain -AccessToken ($plainToken | ConvertTo-TestSecureString) -BaseUri $emulator.BaseUri -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(30))
            $half = [int]($plainToken.Length / 2)
        }

        It 'keeps a web-UI token echoed in a 417 <Case> out of the message, $Error, Get-Error and the transcript' -ForEach @(
            @{ Case = 'short TSheets error'; Shape = 'json'; Straddle = $false }
            @{ Case = 'TSheets error, the token straddling character 300'; Shape = 'json'; Straddle = $true }
            @{ Case = 'plain-text body, the token straddling character 300'; Shape = 'text'; Straddle = $true }
        ) {
            $said = if ($Straddle) { New-StraddlingText $plainToken 'Expectation Failed: ' } else { "Expectation Failed: the key $plainToken is not enabled" }
            $fault = if ($Shape -eq 'json') { @{ body = (@{ error = @{ code = 417; message = $said } } | ConvertTo-Json -Compress) } } else { @{ body = $said; content_type = 'text/plain' } }
            Add-EmulatorFault $emulator (@{ path = '/api/v1/current_user'; status = 417 } + $fault)
            $run = Invoke-Failing { Invoke-TSheetsRestMethod current_user -Name audit-plain -MaximumRetryCount 0 }
            $run.Error.FullyQualifiedErrorId | Should -Be 'ApiError,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand'
            $run.Error.Exception.Message | Should -Match 'Expectation Failed'
            if (-not $Straddle) { $run.Error.Exception.Message | Should -Match 'the key \*\*\* is not enabled' }
            $run.Text.Contains($plainToken) | Should -BeFalse -Because 'the exact token must be scrubbed whatever its shape'
            $run.Text.Contains($plainToken.Substring(0, $half)) | Should -BeFalse -Because 'scrubbing comes before shortening, so no first half survives a cut'
        }

        It 'keeps a client secret and a code echoed in the title of an HTTP <Status> HTML page from /grant out of everything, the secret straddling character 300' -ForEach @(
            @{ Status = 403; ErrorId = 'InvalidServerResponse' }
            @{ Status = 200; ErrorId = 'InvalidServerResponse' }
        ) {
            $plainSecret = New-PlainSecret 'secret'
            $plainCode = New-PlainSecret 'code'
            $app = Invoke-Emulator $emulator '/_emulator/clients' -Method Post -Body @{ redirect_uri = 'https://app.example/callback'; client_secret = $plainSecret }
            $title = New-StraddlingText $plainSecret "Sign-in failed for $plainCode with "
            Add-EmulatorFault $emulator @{ path = '/api/v1/grant'; status = $Status; content_type = 'text/html'; body = "<html><head><title>$title</title></head><body>captive</body></html>" }
            $run = Invoke-Failing {
                Connect-TSheets -ClientId $app.client_id -ClientSecret ($plainSecret | ConvertTo-TestSecureString) -RedirectUri $app.redirect_uri `
                    -BaseUri $emulator.BaseUri -Name audit-html -AuthorizationCode $plainCode
            }
            $run.Error.FullyQualifiedErrorId | Should -Be "$ErrorId,TSheets.Auth.Commands.ConnectTSheetsCommand"
            $run.Error.Exception.Message | Should -Match "an HTML page titled 'Sign-in failed for \*\*\* with x+"
            foreach ($secret in $plainSecret, $plainCode) {
                $run.Text.Contains($secret) | Should -BeFalse
                $run.Text.Contains($secret.Substring(0, [int]($secret.Length / 2))) | Should -BeFalse
            }
        }
    }

    Context 'finding 5: control characters from the server on the console' {
        It 'shows user_id and client_url with CR/LF and an OSC 52 sequence as one plain line, in the "Connected" record and the default views' {
            $body = '{"access_token":"S.7__ctl' + ('a1' * 10) + '","token_type":"bearer","expires_in":3600,' +
                '"user_id":"12345\r\nWARNING: forged by the server","company_id":"67890",' +
                '"client_url":"acme\u001b]52;c;ZXZpbA==\u0007co\u001b[2J\u009b31m"}'
            Add-EmulatorFault $emulator @{ path = '/api/v1/grant'; status = 200; body = $body }
            Connect-TSheets -ClientId $client.ClientId -ClientSecret $client.ClientSecret -RedirectUri $client.RedirectUri -BaseUri $emulator.BaseUri `
                -Name audit-ctl -AuthorizationCode 'S.19__x' -InformationVariable info
            $records = @($info | ForEach-Object { "$($_.MessageData)" })
            $connected = @($records -match "^Connected 'audit-ctl'")
            $connected.Count | Should -Be 1
            $connected[0] | Should -Match 'as user 12345 ?WARNING: forged by the server of acme'
            foreach ($record in $records) { $record | Should -Not -Match '\p{Cc}' }

            $token = Get-TSheetsToken -Name audit-ctl -NoRefresh
            foreach ($value in $token.UserId, $token.CompanyId, $token.ClientUrl) { $value | Should -Not -Match '\p{Cc}' }
            $rendering = $PSStyle.OutputRendering
            $PSStyle.OutputRendering = 'PlainText'   # the table's own header colours aside
            try {
                foreach ($view in ($token | Format-Table | Out-String -Width 400), ($token | Format-List | Out-String -Width 400)) {
                    foreach ($line in $view -split '\r?\n') {
                        $line | Should -Not -Match '\p{Cc}'
                        $line | Should -Not -Match '^WARNING:'
                    }
                }
            }
            finally { $PSStyle.OutputRendering = $rendering }
        }
    }

    Context 'finding 6: odd input ends in a documented error ID' {
        It 'refuses an access token <Case> with InvalidToken, storing nothing' -ForEach @(
            @{ Case = 'with CR/LF'; Value = "S.7__abc`r`nX-Injected: yes" }
            @{ Case = 'with a space'; Value = 'S.7__abc def' }
            @{ Case = 'with a non-ASCII character'; Value = "S.7__abc$([char]0x00E9)" }
        ) {
            $name = New-ConnectionName
            $err = { Set-TSheetsToken -Name $name -AccessToken ($Value | ConvertTo-TestSecureString) } |
                Should -Throw -ErrorId 'InvalidToken,TSheets.Auth.Commands.SetTSheetsTokenCommand' -PassThru
            $err.Exception.Message | Should -Not -Match 'abc'
            { Get-TSheetsToken -Name $name -ErrorAction Stop } | Should -Throw -ErrorId 'TokenNotFound,TSheets.Auth.Commands.GetTSheetsTokenCommand'
        }

        It 'answers Get-TSheetsToken -Name ''['' (a bad wildcard) with TokenNotFound' {
            { Get-TSheetsToken -Name '[' -ErrorAction Stop } | Should -Throw -ErrorId 'TokenNotFound,TSheets.Auth.Commands.GetTSheetsTokenCommand'
        }

        It 'refuses a -Body that refers to itself with InvalidBody, sending nothing' {
            $body = @{}
            $body.self = $body
            $before = Get-ApiRequestCount
            { Invoke-TSheetsRestMethod timesheets -Method POST -Body $body -Name audit-api } |
                Should -Throw -ErrorId 'InvalidBody,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand'
            Get-ApiRequestCount | Should -Be $before
        }

        It 'refuses a -Body holding a lone surrogate in a <Where> with InvalidBody, sending nothing' -TestCases @(
            @{ Where = 'value'; Body = @{ notes = "half $([char]0xD800) a pair" } }
            @{ Where = 'key'; Body = @{ "half $([char]0xDC00)" = 1 } }
        ) {
            $before = Get-ApiRequestCount
            { Invoke-TSheetsRestMethod timesheets -Method POST -Body $Body -Name audit-api } |
                Should -Throw -ErrorId 'InvalidBody,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand'
            Get-ApiRequestCount | Should -Be $before
        }
    }

    Context 'finding 7: a pasted address with two codes' {
        It 'is refused with InvalidRedirectUri, sending nothing, even when the first code is real' {
            $request = New-TSheetsAuthorizationUrl -ClientId $client.ClientId -RedirectUri $client.RedirectUri -BaseUri $emulator.BaseUri
            $redirected = Approve-Authorization $emulator $request.Url
            $before = Get-GrantRequestCount
            { $request | Connect-TSheets -ClientSecret $client.ClientSecret -Name audit-codes -RedirectedUrl "$redirected&code=S.19__planted" } |
                Should -Throw -ErrorId 'InvalidRedirectUri,TSheets.Auth.Commands.ConnectTSheetsCommand'
            Get-GrantRequestCount | Should -Be $before
        }
    }
}
