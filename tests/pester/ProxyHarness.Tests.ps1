# The proxy test harness (issue 21) proven with plain PowerShell, before the module can use a proxy:
# a real squid with basic authentication (ProxyHelpers.psm1), the capture proxy that forwards nothing
# (CaptureProxyHelpers.psm1), and the emulator over https with a CA the test makes (TestHelpers.psm1,
# TestCertificates.psm1). One emulator, one squid with authentication and one capture proxy for the file.
# On Windows only the capture proxy runs: squid is Debian's, and SSL_CERT_FILE is how OpenSSL (Linux)
# finds its CAs; Windows trusts certificates from its own store.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ProxyHelpers.psm1') -Force
    $emulator = Start-TSheetsEmulator -Https
    $squid = if (-not $IsWindows) { Start-SquidProxy }
    $capture = Start-CaptureProxy
    $token = (New-EmulatorToken $emulator).access_token
    $bearer = @{ Authorization = "Bearer $token" }
    $httpPort = ([uri]$emulator.Url).Port
    $httpsPort = ([uri]$emulator.HttpsUrl).Port
    $wrongPassword = "wrong-$([guid]::NewGuid().ToString('n'))"
    $wrongCredential = [pscredential]::new('tsheets-proxy-user', (ConvertTo-SecureString -String $wrongPassword -AsPlainText -Force))

    # A child pwsh calling the emulator's https URL, through squid when given a proxy URL; secrets come
    # in its environment. Prints 'USER <first name>' or 'FAILED <exception chain>'.
    function Invoke-HttpsChild([hashtable] $Environment, [string] $ProxyUrl) {
        $script = @'
try {
    Import-Module Microsoft.PowerShell.Utility   # where WebRequestSession lives; a fresh pwsh loads it on first use
    $session = [Microsoft.PowerShell.Commands.WebRequestSession]::new()
    if ($env:TEST_PROXY_URL) {
        $session.Proxy = [System.Net.WebProxy]::new($env:TEST_PROXY_URL)
        $session.Proxy.Credentials = [System.Net.NetworkCredential]::new($env:TEST_PROXY_USER, $env:TEST_PROXY_PASSWORD)
    }
    $answer = Invoke-RestMethod -Uri "$env:TEST_BASE_URI/current_user" -Headers @{ Authorization = "Bearer $env:TEST_TOKEN" } -WebSession $session -TimeoutSec 30
    'USER ' + @($answer.results.users.PSObject.Properties.Value)[0].first_name
}
catch {
    $failure = $_.Exception; $chain = @()
    while ($failure) { $chain += $failure.Message; $failure = $failure.InnerException }
    'FAILED ' + ($chain -join ' | ')
}
'@
        $variables = @{ TEST_BASE_URI = "$($emulator.BaseUri)"; TEST_TOKEN = $token; TEST_PROXY_URL = $ProxyUrl; TEST_PROXY_USER = $squid.UserName; TEST_PROXY_PASSWORD = $squid.Password }
        foreach ($entry in $Environment.GetEnumerator()) { $variables[$entry.Key] = $entry.Value }
        Invoke-FreshPwsh -NoImport -Script $script -Environment $variables
    }
}

AfterAll {
    if ($capture) { Stop-CaptureProxy $capture }
    if ($squid) { Stop-SquidProxy $squid }
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'The emulator over https with a CA the test made' -Skip:$IsWindows {
    It 'is trusted by a child pwsh whose SSL_CERT_FILE is the bundle (system CAs + ours), with no -SkipCertificateCheck' {
        $emulator.BaseUri.Scheme | Should -Be 'https'
        $emulator.BaseUri.Host | Should -Be 'localhost'
        $result = Invoke-HttpsChild -Environment $emulator.TrustEnvironment
        $result.Output | Should -Be @('USER Ada')
    }

    It 'is refused by a child pwsh without that bundle: the trust comes from SSL_CERT_FILE alone' {
        $result = Invoke-HttpsChild -Environment @{ SSL_CERT_FILE = $null; SSL_CERT_DIR = $null }
        "$($result.Output)" | Should -Match '^FAILED .*(certificate|SSL)'
    }
}

Describe 'Squid on loopback with basic authentication' -Skip:$IsWindows {
    It 'forwards plain http with the right credentials: the emulator answers, and the request came through squid' {
        $echo = Invoke-RestMethod -Uri "$($emulator.Url)/api/v1/echo/through-squid" -Headers $bearer -WebSession (New-ProxyWebSession $squid.Url $squid.Credential)
        $echo.path | Should -Be '/api/v1/echo/through-squid'
        $echo.headers.Via | Should -Match 'tsheets-test-proxy'
        $echo.headers.PSObject.Properties.Name | Should -Not -Contain 'Proxy-Authorization'
        $logged = Wait-SquidAccessLog $squid -Method GET -Url "http://127.0.0.1:$httpPort/api/v1/echo/through-squid" -Status 200
        $logged[0].User | Should -Be $squid.UserName
    }

    It 'tunnels https (CONNECT to the emulator''s random port) for a child that trusts the test CA' {
        $result = Invoke-HttpsChild -Environment $emulator.TrustEnvironment -ProxyUrl $squid.Url
        $result.Output | Should -Be @('USER Ada')
        $logged = Wait-SquidAccessLog $squid -Method CONNECT -Url "localhost:$httpsPort" -Status 200
        $logged[0].Result | Should -Be 'TCP_TUNNEL'
        $logged[0].User | Should -Be $squid.UserName
    }

    It 'answers 407 offering Basic without credentials, and the emulator sees nothing' {
        $before = @((Get-EmulatorStats $emulator).api_requests).Count
        $answer = Invoke-WebRequest -Uri "$($emulator.Url)/api/v1/echo/no-credentials" -Headers $bearer -WebSession (New-ProxyWebSession $squid.Url) -SkipHttpErrorCheck
        $answer.StatusCode | Should -Be 407
        "$($answer.Headers['Proxy-Authenticate'])" | Should -Match '^Basic realm='
        @((Get-EmulatorStats $emulator).api_requests).Count | Should -Be $before
    }

    It 'answers 407 to a wrong password, and the emulator sees nothing' {
        $before = @((Get-EmulatorStats $emulator).api_requests).Count
        $answer = Invoke-WebRequest -Uri "$($emulator.Url)/api/v1/echo/wrong-credentials" -Headers $bearer -WebSession (New-ProxyWebSession $squid.Url $wrongCredential) -SkipHttpErrorCheck
        $answer.StatusCode | Should -Be 407
        "$($answer.Headers['Proxy-Authenticate'])" | Should -Match '^Basic realm='
        @((Get-EmulatorStats $emulator).api_requests).Count | Should -Be $before
        # The client asks without credentials, then with them: squid names who failed, never with what.
        $refused = Wait-SquidAccessLog $squid -Url '*/echo/wrong-credentials' -Status 407 -Count 2
        $refused.User | Should -Contain $squid.UserName
    }

    It 'answers 407 to a CONNECT without credentials' {
        { Invoke-WebRequest -Uri "$($emulator.HttpsUrl)/api/v1/current_user" -WebSession (New-ProxyWebSession $squid.Url) -SkipCertificateCheck } |
            Should -Throw -ExpectedMessage "*proxy tunnel request to proxy '$($squid.Url)/' failed with status code '407'*"
    }

    It 'logs method, URL, status and user, and never the password, a header or a query string' {
        $querySecret = "q-$([guid]::NewGuid().ToString('n'))"
        Invoke-RestMethod -Uri "$($emulator.Url)/api/v1/echo/logged?code=$querySecret" -Headers $bearer -WebSession (New-ProxyWebSession $squid.Url $squid.Credential) | Out-Null
        Invoke-WebRequest -Uri "$($emulator.Url)/api/v1/echo/logged-refused" -Headers $bearer -WebSession (New-ProxyWebSession $squid.Url $wrongCredential) -SkipHttpErrorCheck | Out-Null
        Wait-SquidAccessLog $squid -Url '*/echo/logged-refused' -Status 407 | Out-Null
        $logged = Wait-SquidAccessLog $squid -Method GET -Url "http://127.0.0.1:$httpPort/api/v1/echo/logged?" -Status 200
        $logged[0].User | Should -Be $squid.UserName
        $text = Get-SquidLogText $squid
        $text | Should -Match ([regex]::Escape("/api/v1/echo/logged?"))
        $text | Should -Not -Match ([regex]::Escape($squid.Password))
        # What a logged Proxy-Authorization header would show: the password only base64-encoded.
        $text | Should -Not -Match ([regex]::Escape([Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($squid.UserName):$($squid.Password)"))))
        $text | Should -Not -Match ([regex]::Escape($wrongPassword))
        $text | Should -Not -Match ([regex]::Escape($token))
        $text | Should -Not -Match ([regex]::Escape($querySecret))
        $text | Should -Not -Match 'Authorization'
    }
}

Describe 'Squid without authentication (-NoAuthentication)' -Skip:$IsWindows {
    BeforeAll { $openSquid = if (-not $IsWindows) { Start-SquidProxy -NoAuthentication } }
    AfterAll { if ($openSquid) { Stop-SquidProxy $openSquid } }

    It 'forwards without credentials and logs no user' {
        $openSquid.Credential | Should -BeNullOrEmpty
        $echo = Invoke-RestMethod -Uri "$($emulator.Url)/api/v1/echo/open-squid" -Headers $bearer -WebSession (New-ProxyWebSession $openSquid.Url)
        $echo.headers.Via | Should -Match 'tsheets-test-proxy'
        (Wait-SquidAccessLog $openSquid -Url '*/echo/open-squid' -Status 200)[0].User | Should -Be '-'
    }
}

Describe 'The capture proxy' {
    BeforeEach { Reset-CaptureProxy $capture }

    It 'reports zero connections when nothing was sent to it' {
        Invoke-RestMethod -Uri "$($emulator.Url)/api/v1/current_user" -Headers $bearer -NoProxy | Out-Null
        $captured = Get-CaptureProxyRequests $capture
        $captured.Connections | Should -Be 0
        $captured.Requests | Should -HaveCount 0
    }

    It 'shows why the tests use New-ProxyWebSession: PowerShell''s own -Proxy calls a loopback target directly' {
        $answer = Invoke-WebRequest -Uri "$($emulator.Url)/api/v1/current_user" -Headers $bearer -Proxy $capture.Url -SkipHttpErrorCheck
        $answer.StatusCode | Should -Be 200
        (Get-CaptureProxyRequests $capture).Connections | Should -Be 0
    }

    It 'records an absolute-form POST with its headers and body, and answers 502' {
        $answer = Invoke-WebRequest -Method Post -Uri "$($emulator.Url)/api/v1/grant" -Body 'grant_type=refresh_token&refresh_token=rt-captured' `
            -Headers $bearer -WebSession (New-ProxyWebSession $capture.Url) -SkipHttpErrorCheck
        $answer.StatusCode | Should -Be 502
        $captured = Get-CaptureProxyRequests $capture
        $captured.Connections | Should -Be 1
        $captured.Requests | Should -HaveCount 1
        $request = $captured.Requests[0]
        $request.Method | Should -Be 'POST'
        $request.Target | Should -Be "$($emulator.Url)/api/v1/grant"
        $request.Headers['authorization'] | Should -Be "Bearer $token"
        $request.Body | Should -Be 'grant_type=refresh_token&refresh_token=rt-captured'
        $request.Complete | Should -BeTrue
        $request.Text | Should -Match 'rt-captured'
    }

    It 'records a CONNECT for an https target' {
        { Invoke-WebRequest -Uri "$($emulator.HttpsUrl)/api/v1/current_user" -WebSession (New-ProxyWebSession $capture.Url) -SkipCertificateCheck } |
            Should -Throw -ExpectedMessage '*502*'
        $captured = Get-CaptureProxyRequests $capture
        $captured.Requests | Should -HaveCount 1
        $captured.Requests[0].Method | Should -Be 'CONNECT'
        $captured.Requests[0].Target | Should -Be "localhost:$httpsPort"
    }

    It 'records bytes that are not HTTP, such as a TLS hello sent straight to it' {
        { Invoke-WebRequest -Uri "https://127.0.0.1:$(([uri]$capture.Url).Port)/" -SkipCertificateCheck -NoProxy } | Should -Throw
        $captured = Get-CaptureProxyRequests $capture
        $captured.Connections | Should -Be 1
        $captured.Requests[0].IsHttp | Should -BeFalse
        $captured.Requests[0].FirstBytes | Should -Match '^1603'
    }

    It 'answers what the test sets, until reset' {
        Set-CaptureProxyAnswer $capture -Status 407 -Reason 'Proxy Authentication Required' -Headers @{ 'Proxy-Authenticate' = 'Negotiate' }
        $answer = Invoke-WebRequest -Uri "$($emulator.Url)/api/v1/current_user" -WebSession (New-ProxyWebSession $capture.Url) -SkipHttpErrorCheck
        $answer.StatusCode | Should -Be 407
        "$($answer.Headers['Proxy-Authenticate'])" | Should -Be 'Negotiate'
        Reset-CaptureProxy $capture
        (Invoke-WebRequest -Uri "$($emulator.Url)/api/v1/current_user" -WebSession (New-ProxyWebSession $capture.Url) -SkipHttpErrorCheck).StatusCode | Should -Be 502
    }
}
