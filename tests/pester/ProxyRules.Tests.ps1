# Issue 21: a secret never crosses the network in clear, and what a proxy does is named as the proxy's.
# Each rule with the capture proxy (tests/TSheets.CaptureProxy), which records whatever reaches it and
# forwards nothing: "nothing reached it" is a count of zero. One emulator (http and https) and one
# capture proxy for the file; the module runs in this process, the https cases in a child pwsh that
# trusts the test CA.
BeforeDiscovery {
    # A name of this machine that is no loopback name by the module's rule but resolves to 127.0.0.1,
    # where the capture proxy listens: a proxy "off this machine" that would still record what it got.
    $hostName = [System.Net.Dns]::GetHostName()
    $hostNameIsLoopback = $hostName -ne 'localhost' -and @([System.Net.Dns]::GetHostAddresses($hostName).IPAddressToString) -contains '127.0.0.1'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CaptureProxyHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $emulator = Start-TSheetsEmulator -Https
    $capture = Start-CaptureProxy
    $plainBase = [uri]"$($emulator.Url)/api/v1"
    $proxyVariables = 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'

    function Set-ProxyVariables([string] $Proxy, [string] $NoProxy) {
        foreach ($variable in $proxyVariables) { Remove-Item "Env:$variable" -ErrorAction Ignore }
        foreach ($variable in 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy') { Set-Item "Env:$variable" $Proxy }
        if ($NoProxy) { $env:NO_PROXY = $NoProxy }
    }

    # A name of this machine that is no loopback name by the module's rule but resolves to 127.0.0.1,
    # where the capture proxy listens: a proxy "off this machine" that would still record what it got.
    $hostName = [System.Net.Dns]::GetHostName()
}

AfterAll {
    foreach ($variable in $proxyVariables) { Remove-Item "Env:$variable" -ErrorAction Ignore }
    $PSDefaultParameterValues.Remove('*-TSheets*:Proxy')
    if ($capture) { Stop-CaptureProxy $capture }
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'The proxy variables never apply to a loopback target' {
    BeforeEach {
        Reset-Emulator $emulator
        Reset-CaptureProxy $capture
        $client = New-EmulatorClient $emulator
    }
    AfterEach { foreach ($variable in $proxyVariables) { Remove-Item "Env:$variable" -ErrorAction Ignore } }

    It 'a refresh and a call to <Base> go direct with every proxy variable naming the capture proxy (NO_PROXY <NoProxy>)' -TestCases @(
        @{ Base = 'http://127.0.0.1'; NoProxy = '' }
        @{ Base = 'http://localhost'; NoProxy = '127.0.0.1' }
        @{ Base = 'http://127.0.0.1'; NoProxy = 'localhost' }
    ) {
        $baseUri = [uri]"$Base`:$(([uri]$emulator.Url).Port)/api/v1"
        $connection = New-DueConnection -Emulator $emulator -Client $client -BaseUri $baseUri
        Set-ProxyVariables $capture.Url $NoProxy
        (Invoke-TSheetsRestMethod current_user -Name $connection.Name).results | Should -Not -BeNullOrEmpty
        Connect-TSheets -Name (New-ConnectionName) -BaseUri $baseUri -ClientId $client.ClientId -ClientSecret $client.ClientSecret -InformationAction Ignore `
            -RefreshToken ((New-EmulatorToken $emulator -ClientId $client.ClientId).refresh_token | ConvertTo-TestSecureString)
        (Get-CaptureProxyRequests $capture).Connections | Should -Be 0
        $stats = Get-EmulatorStats $emulator
        $stats.grants.refresh_token | Should -Be 2
        @($stats.api_requests).Count | Should -Be 1
    }

    It 'https://localhost goes direct too: a refresh, a call and a sign-in in a pwsh that trusts the test CA' {
        $connection = New-DueConnection -Emulator $emulator -Client $client -BaseUri $emulator.BaseUri
        $environment = @{}
        foreach ($entry in $emulator.TrustEnvironment.GetEnumerator()) { $environment[$entry.Key] = $entry.Value }
        foreach ($variable in 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY') { $environment[$variable] = $capture.Url }
        $environment.TEST_ACCESS = $connection.Minted.access_token
        $environment.TEST_REFRESH = $connection.Minted.refresh_token
        $environment.TEST_SIGN_IN = (New-EmulatorToken $emulator -ClientId $client.ClientId).refresh_token
        $environment.TEST_SECRET = $client.PlainSecret
        $script = @"
`$secret = ConvertTo-SecureString `$env:TEST_SECRET -AsPlainText -Force
Set-TSheetsToken -Name due -BaseUri '$($emulator.BaseUri)' -ClientId '$($client.ClientId)' -ClientSecret `$secret ``
    -AccessToken (ConvertTo-SecureString `$env:TEST_ACCESS -AsPlainText -Force) -RefreshToken (ConvertTo-SecureString `$env:TEST_REFRESH -AsPlainText -Force) ``
    -ExpiresOn ([DateTimeOffset]::UtcNow.AddMinutes(2))
'USER ' + @((Invoke-TSheetsRestMethod current_user -Name due).results.users.PSObject.Properties.Value)[0].first_name
Connect-TSheets -Name signed -BaseUri '$($emulator.BaseUri)' -ClientId '$($client.ClientId)' -ClientSecret `$secret -RefreshToken (ConvertTo-SecureString `$env:TEST_SIGN_IN -AsPlainText -Force) -InformationAction Ignore
'SIGNED ' + (Get-TSheetsToken -Name signed -NoRefresh).UserId
"@
        $result = Invoke-FreshPwsh -Script $script -Environment $environment
        $result.Output | Should -Be @('USER Ada', 'SIGNED 12345')
        (Get-CaptureProxyRequests $capture).Connections | Should -Be 0
        (Get-EmulatorStats $emulator).grants.refresh_token | Should -Be 2
    }
}

Describe 'An explicit -Proxy' {
    BeforeEach {
        Reset-Emulator $emulator
        Reset-CaptureProxy $capture
        $client = New-EmulatorClient $emulator
    }

    It 'off this machine never carries a plain-http secret: InvalidBaseUri before anything is sent, and the token stays' -Skip:(-not $hostNameIsLoopback) {
        # Proof that the name reaches the capture proxy when something is sent to it.
        $port = ([uri]$capture.Url).Port
        $session = [Microsoft.PowerShell.Commands.WebRequestSession]::new()
        $session.Proxy = [System.Net.WebProxy]::new("http://$hostName`:$port")
        (Invoke-WebRequest -Uri "$plainBase/current_user" -WebSession $session -SkipHttpErrorCheck).StatusCode | Should -Be 502
        Reset-CaptureProxy $capture

        $connection = New-DueConnection -Emulator $emulator -Client $client -BaseUri $plainBase
        { Invoke-TSheetsRestMethod current_user -Name $connection.Name -Proxy "http://$hostName`:$port" } |
            Should -Throw -ErrorId 'InvalidBaseUri,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand'
        { Connect-TSheets -Name (New-ConnectionName) -InformationAction Ignore -BaseUri $plainBase -ClientId $client.ClientId -ClientSecret $client.ClientSecret -Proxy "http://$hostName`:$port" `
                -RefreshToken ($connection.Minted.refresh_token | ConvertTo-TestSecureString) } |
            Should -Throw -ErrorId 'InvalidBaseUri,TSheets.Auth.Commands.ConnectTSheetsCommand'
        (Get-CaptureProxyRequests $capture).Connections | Should -Be 0
        $stats = Get-EmulatorStats $emulator
        $stats.grants.total | Should -Be 0
        @($stats.api_requests).Count | Should -Be 0
        Get-TSheetsToken -Name $connection.Name -AsPlainText -NoRefresh | Should -Be $connection.Minted.access_token
    }

    It 'with -NoProxy is refused as AmbiguousParameterSet, and nothing reaches the proxy or the emulator' {
        $connection = New-DueConnection -Emulator $emulator -Client $client -BaseUri $plainBase
        { Invoke-TSheetsRestMethod current_user -Name $connection.Name -Proxy $capture.Url -NoProxy } |
            Should -Throw -ErrorId 'AmbiguousParameterSet,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand'
        Get-TSheetsToken -Name $connection.Name -ForceRefresh -ProxyUseDefaultCredentials -NoProxy -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        "$($failed[0].FullyQualifiedErrorId)" | Should -Be 'AmbiguousParameterSet,TSheets.Auth.Commands.GetTSheetsTokenCommand'
        (Get-CaptureProxyRequests $capture).Connections | Should -Be 0
        (Get-EmulatorStats $emulator).grants.total | Should -Be 0
    }

    It 'on this machine carries plain http, refresh first, as $PSDefaultParameterValues says; its 502 names the proxy' {
        $connection = New-DueConnection -Emulator $emulator -Client $client -BaseUri $plainBase
        $PSDefaultParameterValues['*-TSheets*:Proxy'] = $capture.Url
        try {
            $err = { Invoke-TSheetsRestMethod current_user -Name $connection.Name -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId 'ServiceUnavailable,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand' -PassThru
        }
        finally { $PSDefaultParameterValues.Remove('*-TSheets*:Proxy') }
        $err.Exception.Message | Should -Match ([regex]::Escape("The proxy $($capture.Url) could not pass the request on"))
        $captured = Get-CaptureProxyRequests $capture
        $captured.Requests[0].Method | Should -Be 'POST'
        $captured.Requests[0].Target | Should -Be "$plainBase/grant"
        $captured.Requests[-1].Target | Should -Be "$plainBase/current_user"
        $captured.Requests[-1].Headers['authorization'] | Should -Be "Bearer $($connection.Minted.access_token)"
        (Get-EmulatorStats $emulator).grants.total | Should -Be 0
        Get-TSheetsToken -Name $connection.Name -AsPlainText -NoRefresh | Should -Be $connection.Minted.access_token
    }

    It 'answering 407 is ProxyAuthenticationRequired saying what to use, and the token stays' {
        $connection = New-DueConnection -Emulator $emulator -Client $client -BaseUri $plainBase
        Set-CaptureProxyAnswer $capture -Status 407 -Reason 'Proxy Authentication Required' -Headers @{ 'Proxy-Authenticate' = 'Negotiate' }
        $err = { Get-TSheetsToken -Name $connection.Name -Proxy $capture.Url -ErrorAction Stop } |
            Should -Throw -ErrorId 'ProxyAuthenticationRequired,TSheets.Auth.Commands.GetTSheetsTokenCommand' -PassThru
        $err.Exception.Message | Should -Match 'It offers: Negotiate\.'
        $err.Exception.Message | Should -Match '-ProxyCredential.*user:password.*-ProxyUseDefaultCredentials'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        Get-TSheetsToken -Name $connection.Name -AsPlainText -NoRefresh | Should -Be $connection.Minted.access_token
    }

    It 'answering an HTML page names the proxy and the page''s title' {
        $connection = New-DueConnection -Emulator $emulator -Client $client -BaseUri $plainBase
        Set-CaptureProxyAnswer $capture -Status 403 -Reason 'Forbidden' -Headers @{ 'Content-Type' = 'text/html' } -Body '<html><title>Blocked by corporate policy</title></html>'
        $err = { Invoke-TSheetsRestMethod current_user -Name $connection.Name -Proxy $capture.Url -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'InvalidServerResponse,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand' -PassThru
        $err.Exception.Message | Should -Match ([regex]::Escape("The proxy $($capture.Url) answered a request to $($emulator.Url) with HTTP 403 and an HTML page titled 'Blocked by corporate policy'"))
    }

    It 'refusing the tunnel to https://localhost names the proxy' {
        $connection = New-DueConnection -Emulator $emulator -Client $client -BaseUri $emulator.BaseUri
        $err = { Invoke-TSheetsRestMethod current_user -Name $connection.Name -Proxy $capture.Url -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'ServiceUnavailable,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand' -PassThru
        $err.Exception.Message | Should -Match ([regex]::Escape("The proxy $($capture.Url) refused to open a tunnel to $($emulator.HttpsUrl) (CONNECT answered HTTP 502)"))
        (Get-CaptureProxyRequests $capture).Requests[0].Method | Should -Be 'CONNECT'
    }

    It 'that nothing answers names the proxy, not TSheets' {
        $connection = New-DueConnection -Emulator $emulator -Client $client -BaseUri $plainBase
        $dead = "http://127.0.0.1:$(Get-FreePort)"
        $err = { Invoke-TSheetsRestMethod current_user -Name $connection.Name -Proxy $dead -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'ServiceUnavailable,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand' -PassThru
        $err.Exception.Message | Should -Match ([regex]::Escape("The proxy $dead could not be reached"))
        Get-TSheetsToken -Name $connection.Name -AsPlainText -NoRefresh | Should -Be $connection.Minted.access_token
    }
}
