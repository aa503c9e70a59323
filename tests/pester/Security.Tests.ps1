BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $emulator = Start-TSheetsEmulator
    $standIn = Install-SecretManagementStandIn
    Microsoft.PowerShell.SecretManagement\Register-SecretVault -Name SecOps -ModuleName Microsoft.PowerShell.SecretStore -AllowClobber

    # Every connection in the session, with its access token: what "the session as it was" means.
    function Get-SessionSnapshot {
        (Get-TSheetsToken -Name * -NoRefresh -ErrorAction SilentlyContinue | ForEach-Object {
            $refresh = if ($_.RefreshToken) { $_.RefreshToken | ConvertFrom-TestSecureString }
            "$($_.Name)=$($_.AccessToken | ConvertFrom-TestSecureString)/$refresh"
        }) -join ';'
    }
}

AfterAll {
    Remove-SecretManagementStandIn
    Remove-Item Env:TSHEETS_AUTH_GRANT_TIMEOUT_SEC, Env:BROWSER, Env:TSHEETS_TEST_BROWSER_LOG, Env:TSHEETS_TEST_EMULATOR -ErrorAction SilentlyContinue
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'Nothing secret reaches a transcript, a stream, or an error' {
    It 'keeps every token, refresh token, client secret and code the emulator issued out of all of them' {
        Reset-Emulator $emulator
        Set-StandInVaultState -StandIn $standIn
        $client = New-EmulatorClient $emulator
        $port = Get-FreePort
        $loopback = New-EmulatorClient $emulator -RedirectUri "http://127.0.0.1:$port/callback"
        $env:BROWSER = "`"$(Get-PwshPath)`" -NoProfile -NonInteractive -File `"$(Join-Path $PSScriptRoot 'ScriptedBrowser.ps1')`""
        $env:TSHEETS_TEST_EMULATOR = $emulator.Url
        $env:TSHEETS_TEST_BROWSER_LOG = Join-Path $TestDrive 'browser.log'
        $env:TSHEETS_TEST_BROWSER_DECISION = 'approve'
        $common = @{ ClientId = $client.ClientId; ClientSecret = $client.ClientSecret; BaseUri = $emulator.BaseUri; Verbose = $true; Debug = $true }
        $errors = [System.Collections.Generic.List[object]]::new()
        function Step([scriptblock] $Action) {
            try { & $Action 2>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $errors.Add($_) } else { $_ | Out-Host } } }
            catch { $errors.Add($_) }
        }
        function New-Code([object] $App = $client) {
            $request = New-TSheetsAuthorizationUrl -ClientId $App.ClientId -RedirectUri $App.RedirectUri -BaseUri $emulator.BaseUri
            [pscustomobject]@{ Request = $request; Redirected = [uri](Approve-Authorization $emulator $request.Url) }
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
            Step { Connect-TSheets -ClientId $loopback.ClientId -ClientSecret $loopback.ClientSecret -RedirectUri $loopback.RedirectUri -BaseUri $emulator.BaseUri -Name leak-browser -TimeoutSec 60 -Verbose -Debug }
            Step { Get-TSheetsToken -Name leak -ForceRefresh -Verbose -Debug | Format-List * -Force }
            Step { Get-TSheetsToken -Name leak | ConvertTo-Json -Depth 4 }
            Step { Invoke-TSheetsRestMethod current_user -Name leak -Verbose -Debug | ConvertTo-Json -Depth 6 }
            $expired = (Get-TSheetsToken -Name leak).AccessToken | ConvertFrom-TestSecureString
            Invoke-Emulator $emulator '/_emulator/tokens/expire' -Method Post -Body @{ access_token = $expired } | Out-Null
            Step { Invoke-TSheetsRestMethod current_user -Name leak -Verbose -Debug | Out-Null }   # 401, refresh, retry
            Step { Get-TSheetsToken -Name leak | Set-TSheetsToken -Vault SecOps -Verbose -Debug }
            Step { Get-TSheetsToken -Name leak -Vault SecOps -Verbose -Debug | Format-Table | Out-Host }

            # Error paths.
            Step { Connect-TSheets @common -Name leak-bad -RedirectUri $client.RedirectUri -AuthorizationCode ('S.19__' + ('ab' * 20)) }
            $wrongSecret = @{} + $common; $wrongSecret.ClientSecret = 'e' * 40 | ConvertTo-TestSecureString
            $flow = New-Code
            Step { Connect-TSheets @wrongSecret -Name leak-bad -RedirectUri $client.RedirectUri -RedirectedUrl $flow.Redirected -State $flow.Request.State }
            Set-EmulatorConfig $emulator @{ code_ttl_seconds = 1 }
            $flow = New-Code
            Start-Sleep -Milliseconds 1500
            Step { Connect-TSheets @common -Name leak-bad -RedirectUri $client.RedirectUri -RedirectedUrl $flow.Redirected -State $flow.Request.State }
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
            Set-StandInVaultState -StandIn $standIn -Failing @{ SecOps = 'vault exploded' }
            Step { Get-TSheetsToken -Name leak | Set-TSheetsToken -Vault SecOps -Verbose -Debug }
            Set-StandInVaultState -StandIn $standIn -Locked SecOps
            Step { Get-TSheetsToken -Name leak -Vault SecOps -ForceRefresh -Verbose -Debug | Out-Null }
            Set-StandInVaultState -StandIn $standIn
            $flow = New-Code
            Step { Connect-TSheets @common -Name leak-vault -RedirectUri $client.RedirectUri -RedirectedUrl $flow.Redirected -State $flow.Request.State -Vault NoSuchVault }
            Step { Disconnect-TSheets -Name leak* -Vault SecOps -Verbose -Debug }
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
        $text | Should -Match 'VERBOSE: Refreshed'
        $text | Should -Match 'GrantFailed|InvalidClient'
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
        @{ Case = 'a path that leaves the base URI'; ErrorId = 'InvalidBaseUri'; Command = 'InvokeTSheetsRestMethodCommand'; Run = { Invoke-TSheetsRestMethod 'https://evil.example/x' -Name api } }
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
    BeforeAll {
        Reset-Emulator $emulator
        $client = New-EmulatorClient $emulator
        $env:TSHEETS_AUTH_GRANT_TIMEOUT_SEC = '2'
        $minted = New-EmulatorToken $emulator -ClientId $client.ClientId
        Set-TSheetsToken -Name fault -AccessToken ($minted.access_token | ConvertTo-TestSecureString) -BaseUri $emulator.BaseUri -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(9))
        $connect = @{ ClientId = $client.ClientId; ClientSecret = $client.ClientSecret; BaseUri = $emulator.BaseUri; Name = 'fault-connect'; RedirectUri = $client.RedirectUri; AuthorizationCode = 'S.19__x' }
    }

    AfterAll { Remove-Item Env:TSHEETS_AUTH_GRANT_TIMEOUT_SEC -ErrorAction SilentlyContinue }

    BeforeEach { Invoke-Emulator $emulator '/_emulator/faults' -Method Delete | Out-Null }

    It '/<Target>: <Fault> -> <ErrorId>' -TestCases @(
        foreach ($target in 'grant', 'current_user') {
            @{ Target = $target; Fault = 'a server that never answers'; ErrorId = 'ServiceUnavailable'; Spec = @{ hang = $true }; Said = 'did not answer within 2 seconds' }
            @{ Target = $target; Fault = 'an answer past the timeout'; ErrorId = 'ServiceUnavailable'; Spec = @{ delay_ms = 4000; status = 200; body = '{}' }; Said = 'did not answer within 2 seconds' }
            @{ Target = $target; Fault = 'HTTP 500'; ErrorId = 'ServiceUnavailable'; Spec = @{ status = 500; body = 'boom'; content_type = 'text/plain' }; Said = '500' }
            @{ Target = $target; Fault = 'HTTP 502'; ErrorId = 'ServiceUnavailable'; Spec = @{ status = 502; body = 'bad gateway'; content_type = 'text/plain' }; Said = '502' }
            @{ Target = $target; Fault = 'HTTP 503'; ErrorId = 'ServiceUnavailable'; Spec = @{ status = 503; body = 'unavailable'; content_type = 'text/plain' }; Said = '503' }
            @{ Target = $target; Fault = 'HTTP 499'; ErrorId = 'IpBlocked'; Spec = @{ status = 499; body = '{"error":{"code":499,"message":"IP blocked"}}'; content_type = 'application/json' }; Said = 'IP restrictions' }
            @{ Target = $target; Fault = 'a reset connection'; ErrorId = 'ServiceUnavailable'; Spec = @{ abort = $true }; Said = 'could not be reached|connection' }
        }
    ) {
        Add-EmulatorFault $emulator (@{ path = "/api/v1/$Target" } + $Spec)
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $err = if ($Target -eq 'grant') {
            { Connect-TSheets @connect } | Should -Throw -ErrorId "$ErrorId,TSheets.Auth.Commands.ConnectTSheetsCommand" -PassThru
        }
        else {
            { Invoke-TSheetsRestMethod current_user -Name fault -TimeoutSec 2 -MaximumRetryCount 0 } | Should -Throw -ErrorId "$ErrorId,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand" -PassThru
        }
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
        Start-Sleep -Milliseconds 700
        $shell.Stop()                                  # what Ctrl+C does
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
        $shell.InvocationStateInfo.State | Should -Be 'Stopped'
        $shell.Dispose()
        Start-Sleep -Milliseconds 2500                 # the refresh finishes in the background
        $now = Get-TSheetsToken -Name ctrlc -NoRefresh
        ($now.AccessToken | ConvertFrom-TestSecureString) | Should -Not -Be $minted.access_token
        # The stored refresh token is the rotated one: it still works.
        (Get-TSheetsToken -Name ctrlc -ForceRefresh).UserId | Should -Be '12345'
        (Get-EmulatorStats $emulator).grants.refresh_token | Should -Be 2
    }
}
