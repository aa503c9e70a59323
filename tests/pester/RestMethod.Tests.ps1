# Invoke-TSheetsRestMethod end to end over real HTTP, against the emulator: one test of the wiring per
# behaviour (the rules themselves are proven in ApiClientTests, PageReaderTests, PacerTests and
# ApiItemsTests), with TSheets as it really is (issue 14): pacing, batch answers, CI tokens.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $emulator = Start-TSheetsEmulator

    # A fresh refreshable token of the emulator's, stored under $Name; returns what the emulator minted.
    function Set-ApiToken([string] $Name, $Client) {
        $minted = New-EmulatorToken $emulator -ClientId $Client.ClientId
        Set-TSheetsToken -Name $Name -BaseUri $emulator.BaseUri -ClientId $Client.ClientId -ClientSecret $Client.ClientSecret `
            -AccessToken ($minted.access_token | ConvertTo-TestSecureString) -RefreshToken ($minted.refresh_token | ConvertTo-TestSecureString) `
            -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(9))
        $minted
    }
}

AfterAll {
    Remove-Item Env:TSHEETS_AUTH_RATE_LIMIT, Env:TSHEETS_ACCESS_TOKEN, Env:TSHEETS_BASE_URI -ErrorAction Ignore
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'Invoke-TSheetsRestMethod' {
    BeforeEach {
        Reset-Emulator $emulator
        $client = New-EmulatorClient $emulator
        $name = New-ConnectionName
        $minted = Set-ApiToken $name $client
        function Invoke-Api {
            [CmdletBinding()]
            param([Parameter(Position = 0)] [string] $Path, [hashtable] $More = @{})
            Invoke-TSheetsRestMethod -Path $Path -Name $name -TimeoutSec 30 @More
        }
    }

    It 'GETs current_user as typed objects, with the bearer token' {
        $me = Invoke-Api current_user
        $user = $me.results.users.'12345'
        $user.id | Should -Be 12345
        $user.id | Should -BeOfType ([int])
        $user.active | Should -BeOfType ([bool])
        $user.permissions.admin | Should -BeTrue
        $me.more | Should -BeFalse
        $sent = (Get-EmulatorStats $emulator).api_requests[0]
        $sent.has_bearer | Should -BeTrue
        $sent.path | Should -Be '/api/v1/current_user'
    }

    It 'sends -Query encoded, lists comma-separated, booleans in lower case' {
        $echo = Invoke-Api echo -More @{ Query = [ordered]@{ ids = 1, 2, 3; active = $true; name = 'a b&c' } }
        $echo.query.ids | Should -Be '1,2,3'
        $echo.query.active | Should -Be 'true'
        $echo.query.name | Should -Be 'a b&c'
        $echo.method | Should -Be 'GET'
        $echo.headers.PSObject.Properties.Name | Should -Not -Contain 'Authorization'
    }

    It 'POSTs a hashtable as JSON, and PUTs a JSON string as it is' {
        $echo = Invoke-Api /echo -More @{ Method = 'POST'; Body = @{ data = @(@{ user_id = 1001; notes = 'hi'; on = $true }) } }
        $echo.method | Should -Be 'POST'
        $echo.content_type | Should -BeLike 'application/json*'
        $sent = $echo.body | ConvertFrom-Json
        $sent.data[0].user_id | Should -Be 1001
        $sent.data[0].notes | Should -Be 'hi'
        $sent.data[0].on | Should -BeTrue
        (Invoke-Api echo -More @{ Method = 'PUT'; Body = '{"data":[]}' }).body | Should -BeExactly '{"data":[]}'
    }

    It 'follows pages with -All, one object per page, so one line lists every user' {
        $pages = Invoke-Api users -More @{ All = $true }
        $pages.Count | Should -Be 3
        $users = $pages | ForEach-Object { $_.results.users.PSObject.Properties.Value }
        $users.Count | Should -Be 450
        ($users.id | Sort-Object -Unique).Count | Should -Be 450
        (Get-EmulatorStats $emulator).api_requests.query.page | Should -Be @('1', '2', '3')
        (Get-EmulatorStats $emulator).api_requests.query.limit | Should -Be @('200', '200', '200')
    }

    It 'acts on a managed company with -ManagedClientId, found with managed_clients' {
        $managed = (Invoke-Api managed_clients -More @{ All = $true }).results.managed_clients.PSObject.Properties.Value
        $managed.id | Should -Contain 70001
        $me = Invoke-Api current_user -More @{ ManagedClientId = '70001' }
        $me.results.users.PSObject.Properties.Value[0].company_name | Should -Be 'Beta Builders'
        (Get-EmulatorStats $emulator).api_requests[-1].managed_client_id | Should -Be '70001'
    }

    It 'refreshes once after a 401 and retries' {
        Invoke-Emulator $emulator '/_emulator/tokens/expire' -Method Post -Body @{ access_token = $minted.access_token } | Out-Null
        $me = Invoke-Api current_user -Verbose 4>&1 | Tee-Object -Variable stream | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $me.results.users.'12345'.username | Should -Be 'admin'
        ($stream | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'GET current_user -> 401.*\n.*refreshing'
        $stats = Get-EmulatorStats $emulator
        $stats.grants.refresh_token | Should -Be 1
        $stats.api_requests.status | Should -Be @(401, 200)
    }

    It 'reports a 401 whose refresh fails for now as RefreshFailed with the cause, saying to try again, not to sign in again' {
        Invoke-Emulator $emulator '/_emulator/tokens/expire' -Method Post -Body @{ access_token = $minted.access_token } | Out-Null
        Add-EmulatorFault $emulator @{ path = '/api/v1/grant'; status = 503; body = 'down'; content_type = 'text/plain'; times = 5 }
        $err = $null
        try { Invoke-Api current_user -WarningVariable warned } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'RefreshFailed,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand'
        $err.Exception.Message | Should -Match "refused the token '$name' \(HTTP 401\), and it could not be refreshed: .*HTTP 503: down\)\. Try again later\."
        $err.Exception.Message | Should -Not -Match 'Sign in again'
        $warned | Should -BeNullOrEmpty
        (Get-EmulatorStats $emulator).api_requests.status | Should -Be @(401)
        (Get-TSheetsToken -Name $name -NoRefresh).AccessToken | ConvertFrom-TestSecureString | Should -BeExactly $minted.access_token
    }

    It 'reports an expired web-UI token as TokenExpired with what to do' {
        $webUi = New-EmulatorToken $emulator -NotRefreshable
        Set-TSheetsToken -Name $name -AccessToken ($webUi.access_token | ConvertTo-TestSecureString) -BaseUri $emulator.BaseUri
        Invoke-Emulator $emulator '/_emulator/tokens/expire' -Method Post -Body @{ access_token = $webUi.access_token } | Out-Null
        $err = { Invoke-Api current_user } | Should -Throw -ErrorId 'TokenExpired,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand' -PassThru
        $err.Exception.Message | Should -Match 'web UI'
        (Get-EmulatorStats $emulator).grants.total | Should -Be 0
    }

    It 'reports an unforeseen 429 at once as RateLimited when waiting out the window would take longer than -TimeoutSec' {
        Add-EmulatorFault $emulator @{ path = '/api/v1/current_user'; status = 429; body = '{"error":{"code":429,"message":"Too Many Requests"}}'; content_type = 'application/json' }
        $err = { Invoke-Api current_user } | Should -Throw -ErrorId 'RateLimited,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand' -PassThru
        $err.Exception.Message | Should -Match 'Too Many Requests'
        $err.Exception.Message | Should -Match 'another process may be using the same token'
        $err.Exception.Message | Should -Match '300 s, more than -TimeoutSec \(30 s\)'
        (Get-EmulatorStats $emulator).api_requests.status | Should -Be @(429)
    }

    It 'waits out the window after an unforeseen 429 when -TimeoutSec allows, and says so' {
        Add-EmulatorFault $emulator @{ path = '/api/v1/current_user'; status = 429; body = '{"error":{"code":429,"message":"Too Many Requests"}}'; content_type = 'application/json' }
        $env:TSHEETS_AUTH_RATE_LIMIT = '300/1'
        try {
            $watch = [Diagnostics.Stopwatch]::StartNew()
            (Invoke-Api current_user -WarningVariable warnings -WarningAction SilentlyContinue).results | Should -Not -BeNullOrEmpty
            $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.95
        }
        finally { Remove-Item Env:TSHEETS_AUTH_RATE_LIMIT }
        "$warnings" | Should -Match 'Waiting 1 s for the window to end'
        (Get-EmulatorStats $emulator).api_requests.status | Should -Be @(429, 200)
    }

    It 'reports <Status> as <ErrorId> with TSheets'' message' -TestCases @(
        @{ Status = 499; ErrorId = 'IpBlocked'; Type = 'application/json'; Body = '{"error":{"code":499,"message":"Blocked by IP filter"}}'; Said = 'IP restrictions' }
        @{ Status = 417; ErrorId = 'ApiError'; Type = 'application/json'; Body = '{"error":{"code":417,"message":"Expectation Failed: user_ids is invalid"}}'; Said = 'HTTP 417: 417: Expectation Failed: user_ids is invalid' }
        @{ Status = 402; ErrorId = 'ApiError'; Type = 'text/plain'; Body = 'Payment Required: billing is not current'; Said = 'Payment Required: billing is not current' }
        @{ Status = 400; ErrorId = 'ApiError'; Type = 'application/json'; Body = '{"error":"invalid_request","error_description":"bad filter"}'; Said = 'invalid_request: bad filter' }
        @{ Status = 500; ErrorId = 'ServiceUnavailable'; Type = 'text/plain'; Body = 'oops'; Said = 'oops' }
    ) {
        Add-EmulatorFault $emulator @{ path = '/api/v1/current_user'; status = $Status; body = $Body; content_type = $Type }
        $err = { Invoke-Api current_user -More @{ MaximumRetryCount = 0 } } |
            Should -Throw -ErrorId "$ErrorId,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand" -PassThru
        $err.Exception.Message | Should -Match ([regex]::Escape($Said))
        $err.Exception.StatusCode | Should -Be $Status
    }

    It 'reports a response that is not JSON as InvalidServerResponse' {
        Add-EmulatorFault $emulator @{ path = '/api/v1/current_user'; status = 200; body = '<html><title>Proxy login</title></html>'; content_type = 'text/html' }
        $err = { Invoke-Api current_user } | Should -Throw -ErrorId 'InvalidServerResponse,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand' -PassThru
        $err.Exception.Message | Should -Match 'Proxy login'
    }

    It 'refuses a path that leaves the base URI' -TestCases @(
        @{ Path = 'https://evil.example/steal' }
        @{ Path = '//evil.example/steal' }
        @{ Path = '../../other' }
    ) {
        { Invoke-Api $Path } | Should -Throw -ErrorId 'InvalidPath,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand'
        (Get-EmulatorStats $emulator).api_requests.Count | Should -Be 0
    }

    It 'says in verbose the method, path, status and timing, and never the token' {
        $text = Invoke-Api current_user -Verbose 4>&1 | Out-String
        $text | Should -Match 'GET current_user -> 200 in \d+ ms'
        $text | Should -Not -Match ([regex]::Escape($minted.access_token))
    }

    It 'paces 25 calls from 5 runspaces at 10 calls in any 1 s: no 429, never more than 10 in a window of the emulator''s clock' {
        # The limit compressed from TSheets' 300 in 5 minutes, in the module and the emulator alike.
        Set-EmulatorConfig $emulator @{ rate_limit_count = 10; rate_limit_window_seconds = 1 }
        $env:TSHEETS_AUTH_RATE_LIMIT = '10/1'
        try {
            $module = Get-TestModulePath
            $answers = 1..25 | ForEach-Object -ThrottleLimit 5 -Parallel {
                Import-Module $using:module
                (Invoke-TSheetsRestMethod current_user -Name $using:name -TimeoutSec 60).more
            }
            $requests = (Get-EmulatorStats $emulator).api_requests
            # A new token has a window of its own: its 11th call in a row must wait, and says so.
            $fresh = New-ConnectionName
            Set-ApiToken $fresh $client | Out-Null
            $verbose = 1..11 | ForEach-Object { Invoke-TSheetsRestMethod current_user -Name $fresh -Verbose 4>&1 } | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        }
        finally { Remove-Item Env:TSHEETS_AUTH_RATE_LIMIT }
        @($answers).Count | Should -Be 25
        @($requests).Count | Should -Be 25
        @($requests | Where-Object status -EQ 429).Count | Should -Be 0
        Get-MostInAnyWindow (Get-AnswerTimes $requests) 1 | Should -BeLessOrEqual 10
        Get-MostInAnyWindow (Get-AnswerTimes $requests) 1 | Should -BeGreaterOrEqual 5 -Because 'the pacer lets calls through as fast as the limit allows'
        ($verbose.Message -join "`n") | Should -Match 'Pacing calls on this token at 10 calls in 1 s: waiting'
    }

    It 'outputs the good items of a batch and one non-terminating ApiError per failed item, naming its index' {
        $body = @{ data = @(
                @{ user_id = 1001; type = 'manual'; date = '2026-11-27'; duration = 3600 }
                @{ type = 'manual'; date = '2026-11-27'; duration = 3600 }
                @{ user_id = 1002; type = 'regular' }
            ) }
        $answer = Invoke-TSheetsRestMethod timesheets -Method POST -Body $body -Name $name -ErrorVariable failed -ErrorAction SilentlyContinue
        @($answer.results.timesheets.PSObject.Properties.Name) | Should -Be @('1')
        @($failed).Count | Should -Be 2
        $failed | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be 'ApiError,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand' }
        $failed.TargetObject | Should -Be @('2', '3')
        $failed[0].Exception.Message | Should -Match 'Item 2 of POST timesheets was refused: 417 Expectation Failed \(user_id is required\)'
    }
}

Describe 'A token for CI runners in $env:TSHEETS_ACCESS_TOKEN' {
    It 'is the default connection when there is none, used as a web-UI token, said in verbose and never printed; an explicit one wins' {
        Reset-Emulator $emulator
        $minted = New-EmulatorToken $emulator -NotRefreshable
        $explicit = New-EmulatorToken $emulator -NotRefreshable
        Disconnect-TSheets -Name default -ErrorAction Ignore
        # Read at each call, so this process will do: no connection named 'default' exists in it.
        $env:TSHEETS_ACCESS_TOKEN = $minted.access_token
        $env:TSHEETS_BASE_URI = "$($emulator.BaseUri)"
        try {
            $stream = Invoke-TSheetsRestMethod current_user -Verbose 4>&1
            $canRefresh = (Get-TSheetsToken).CanRefresh
            Set-TSheetsToken -AccessToken ($explicit.access_token | ConvertTo-TestSecureString) -BaseUri $emulator.BaseUri
            $used = Get-TSheetsToken -AsPlainText
        }
        finally {
            Remove-Item Env:TSHEETS_ACCESS_TOKEN, Env:TSHEETS_BASE_URI -ErrorAction Ignore
            Disconnect-TSheets -Name default -ErrorAction Ignore
        }
        ($stream | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).results.users.PSObject.Properties.Value[0].id | Should -Be 12345
        $verbose = ($stream | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $verbose | Should -Match 'Using the token in \$TSHEETS_ACCESS_TOKEN as the ''default'' connection'
        ($stream | Out-String) + $verbose | Should -Not -Match ([regex]::Escape($minted.access_token))
        $canRefresh | Should -BeFalse
        $used | Should -BeExactly $explicit.access_token
        (Get-EmulatorStats $emulator).api_requests[0].status | Should -Be 200
    }
}
