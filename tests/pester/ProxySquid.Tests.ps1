# Issue 21 against a real proxy: Debian's squid on loopback with basic authentication (ProxyHelpers.psm1),
# started and stopped by this file, in front of the emulator (http, and https with a CA the test made).
# Calls and refreshes through it with each way of giving the credentials, a 407 without or with wrong
# ones, the https emulator through a CONNECT tunnel, and no secret in squid's logs or a transcript.
# squid is Debian's: Linux only.
BeforeDiscovery {
    $hostName = [System.Net.Dns]::GetHostName()
    $hostNameIsLoopback = $hostName -ne 'localhost' -and @([System.Net.Dns]::GetHostAddresses($hostName).IPAddressToString) -contains '127.0.0.1'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ProxyHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $hostName = [System.Net.Dns]::GetHostName()
    $emulator = if (-not $IsWindows) { Start-TSheetsEmulator -Https -DnsNames 'localhost', $hostName }
    $squid = if (-not $IsWindows) { Start-SquidProxy }
    $plainBase = [uri]"$($emulator.Url)/api/v1"
    $wrongCredential = [pscredential]::new($squid.UserName, (ConvertTo-SecureString "wrong-$([guid]::NewGuid().ToString('n'))" -AsPlainText -Force))

    # squid's log lines for one method and URL, answered with 200 by the user that authenticated.
    function Get-ThroughSquid([string] $Method, [string] $Url) {
        @(Get-SquidAccessLog $squid | Where-Object { $_.Method -eq $Method -and $_.Url -eq $Url -and $_.Status -eq 200 -and $_.User -eq $squid.UserName })
    }

    # A child pwsh trusting the test CA; the secrets a script needs come in its environment, never its text.
    function Invoke-ProxyChild([string] $Script, [pscustomobject] $Connection, [hashtable] $More = @{}) {
        $environment = @{ TEST_ACCESS = $Connection.Minted.access_token; TEST_REFRESH = $Connection.Minted.refresh_token; TEST_SECRET = $client.PlainSecret
            TEST_CLIENT = $client.ClientId; TEST_PROXY = $squid.Url; TEST_PROXY_USER = $squid.UserName; TEST_PROXY_PASSWORD = $squid.Password }
        foreach ($variables in $emulator.TrustEnvironment, $More) {
            foreach ($entry in $variables.GetEnumerator()) { $environment[$entry.Key] = $entry.Value }
        }
        $prelude = @'
$proxyCredential = [pscredential]::new($env:TEST_PROXY_USER, (ConvertTo-SecureString $env:TEST_PROXY_PASSWORD -AsPlainText -Force))
function Set-DueToken([string] $BaseUri) {
    Set-TSheetsToken -Name due -BaseUri $BaseUri -ClientId $env:TEST_CLIENT -ClientSecret (ConvertTo-SecureString $env:TEST_SECRET -AsPlainText -Force) `
        -AccessToken (ConvertTo-SecureString $env:TEST_ACCESS -AsPlainText -Force) -RefreshToken (ConvertTo-SecureString $env:TEST_REFRESH -AsPlainText -Force) `
        -ExpiresOn ([DateTimeOffset]::UtcNow.AddMinutes(2))
}
function First-Name($Answer) { 'USER ' + @($Answer.results.users.PSObject.Properties.Value)[0].first_name }

'@
        Invoke-FreshPwsh -Script ($prelude + $Script) -Environment $environment
    }
}

AfterAll {
    $PSDefaultParameterValues.Remove('*-TSheets*:Proxy')
    $PSDefaultParameterValues.Remove('*-TSheets*:ProxyCredential')
    if ($squid) { Stop-SquidProxy $squid }
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'Through squid with basic authentication' -Skip:$IsWindows {
    BeforeEach {
        Reset-Emulator $emulator
        $client = New-EmulatorClient $emulator
    }

    It 'refreshes and calls with -ProxyCredential' {
        $connection = New-DueConnection -Emulator $emulator -Client $client -BaseUri $plainBase
        (Invoke-TSheetsRestMethod echo/with-credential -Name $connection.Name -Proxy $squid.Url -ProxyCredential $squid.Credential).headers.Via | Should -Match 'tsheets-test-proxy'
        Wait-SquidAccessLog $squid -Url "$plainBase/echo/with-credential" -Status 200 | Out-Null
        Get-ThroughSquid GET "$plainBase/echo/with-credential" | Should -HaveCount 1
        (Get-ThroughSquid POST "$plainBase/grant").Count | Should -BeGreaterOrEqual 1
        (Get-EmulatorStats $emulator).grants.refresh_token | Should -Be 1
    }

    It 'refreshes and calls with user:password in -Proxy, which no error record shows' {
        $connection = New-DueConnection -Emulator $emulator -Client $client -BaseUri $plainBase
        $grantsBefore = (Get-ThroughSquid POST "$plainBase/grant").Count
        (Invoke-TSheetsRestMethod echo/in-uri -Name $connection.Name -Proxy $squid.UrlWithCredentials).path | Should -Be '/api/v1/echo/in-uri'
        Wait-SquidAccessLog $squid -Url "$plainBase/echo/in-uri" -Status 200 | Out-Null
        Get-ThroughSquid GET "$plainBase/echo/in-uri" | Should -HaveCount 1
        (Get-ThroughSquid POST "$plainBase/grant").Count | Should -Be ($grantsBefore + 1)
        $err = { Invoke-TSheetsRestMethod no/such/endpoint -Name $connection.Name -Proxy $squid.UrlWithCredentials } | Should -Throw -ErrorId 'ApiError,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand' -PassThru
        $shown = ($err | Format-List * -Force | Out-String) + ($err.InvocationInfo | Format-List * -Force | Out-String) + $err.Exception.Message
        $shown | Should -Match 'no/such/endpoint' -Because 'the rendering scanned is the error''s'
        $shown | Should -Not -Match ([regex]::Escape($squid.Password))
    }

    It 'takes -Proxy and -ProxyCredential from $PSDefaultParameterValues, refreshes included; -NoProxy goes direct' {
        $connection = New-DueConnection -Emulator $emulator -Client $client -BaseUri $plainBase
        $PSDefaultParameterValues['*-TSheets*:Proxy'] = $squid.Url
        $PSDefaultParameterValues['*-TSheets*:ProxyCredential'] = $squid.Credential
        try {
            $grantsBefore = (Get-ThroughSquid POST "$plainBase/grant").Count
            Get-TSheetsToken -Name $connection.Name -ForceRefresh | Should -Not -BeNullOrEmpty
            (Invoke-TSheetsRestMethod echo/defaults -Name $connection.Name).path | Should -Be '/api/v1/echo/defaults'
            (Invoke-TSheetsRestMethod echo/no-proxy -Name $connection.Name -NoProxy -Proxy:$null -ProxyCredential:$null).path | Should -Be '/api/v1/echo/no-proxy'
        }
        finally {
            $PSDefaultParameterValues.Remove('*-TSheets*:Proxy')
            $PSDefaultParameterValues.Remove('*-TSheets*:ProxyCredential')
        }
        Wait-SquidAccessLog $squid -Url "$plainBase/echo/defaults" -Status 200 | Out-Null
        (Get-ThroughSquid POST "$plainBase/grant").Count | Should -Be ($grantsBefore + 1)
        @(Get-SquidAccessLog $squid | Where-Object Url -Like '*/echo/no-proxy*') | Should -HaveCount 0
        @((Get-EmulatorStats $emulator).api_requests.path) | Should -Contain '/api/v1/echo/no-proxy'
    }

    It 'is ProxyAuthenticationRequired <Case>, for a refresh and a call, and the token stays' -TestCases @(
        @{ Case = 'without credentials'; Wrong = $false; Says = 'none were given' }
        @{ Case = 'with a wrong password'; Wrong = $true; Says = 'refused the credentials' }
    ) {
        $Given = if ($Wrong) { @{ ProxyCredential = $wrongCredential } } else { @{} }
        $connection = New-DueConnection -Emulator $emulator -Client $client -BaseUri $plainBase
        $err = { Get-TSheetsToken -Name $connection.Name -Proxy $squid.Url @Given -ErrorAction Stop } |
            Should -Throw -ErrorId 'ProxyAuthenticationRequired,TSheets.Auth.Commands.GetTSheetsTokenCommand' -PassThru
        $err.Exception.Message | Should -Match ([regex]::Escape("The proxy $($squid.Url) ")) -Because 'the proxy is named'
        $err.Exception.Message | Should -Match $Says
        $err.Exception.Message | Should -Match 'It offers: Basic\.'
        { Invoke-TSheetsRestMethod current_user -Name $connection.Name -Proxy $squid.Url @Given } |
            Should -Throw -ErrorId 'ProxyAuthenticationRequired,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand'
        { Connect-TSheets -Name (New-ConnectionName) -BaseUri $plainBase -ClientId $client.ClientId -ClientSecret $client.ClientSecret -Proxy $squid.Url @Given `
                -RefreshToken ($connection.Minted.refresh_token | ConvertTo-TestSecureString) } |
            Should -Throw -ErrorId 'ProxyAuthenticationRequired,TSheets.Auth.Commands.ConnectTSheetsCommand'
        (Get-EmulatorStats $emulator).grants.total | Should -Be 0
        Get-TSheetsToken -Name $connection.Name -AsPlainText -NoRefresh | Should -Be $connection.Minted.access_token
    }

    It 'tunnels https://localhost (CONNECT) for a refresh and a call; without credentials the CONNECT is ProxyAuthenticationRequired' {
        $connection = New-DueConnection -Emulator $emulator -Client $client -BaseUri $emulator.BaseUri
        $port = ([uri]$emulator.HttpsUrl).Port
        $result = Invoke-ProxyChild -Connection $connection -Script @"
Set-DueToken '$($emulator.BaseUri)'
First-Name (Invoke-TSheetsRestMethod current_user -Name due -Proxy `$env:TEST_PROXY -ProxyCredential `$proxyCredential)
try { Invoke-TSheetsRestMethod current_user -Name due -Proxy `$env:TEST_PROXY } catch { 'ERROR ' + `$_.FullyQualifiedErrorId }
"@
        $result.Output | Should -Be @('USER Ada', 'ERROR ProxyAuthenticationRequired,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand')
        $tunnels = Wait-SquidAccessLog $squid -Method CONNECT -Url "localhost:$port" -Status 200
        $tunnels[0].Result | Should -Be 'TCP_TUNNEL'
        $tunnels[0].User | Should -Be $squid.UserName
        (Get-EmulatorStats $emulator).grants.refresh_token | Should -Be 1
    }

    It 'is used from HTTPS_PROXY with user:password in it, for a name of this machine that is no loopback name' -Skip:(-not $hostNameIsLoopback) {
        $connection = New-DueConnection -Emulator $emulator -Client $client -BaseUri $emulator.BaseUri
        $port = ([uri]$emulator.HttpsUrl).Port
        $byName = "https://$hostName`:$port/api/v1"
        $result = Invoke-ProxyChild -Connection $connection -More @{ HTTPS_PROXY = $squid.UrlWithCredentials } -Script @"
Set-DueToken '$byName'
First-Name (Invoke-TSheetsRestMethod current_user -Name due)
"@
        $result.Output | Should -Be @('USER Ada')
        $tunnels = Wait-SquidAccessLog $squid -Method CONNECT -Url "$hostName`:$port" -Status 200
        $tunnels[0].User | Should -Be $squid.UserName
    }

    It 'leaves no token, refresh token, client secret or proxy password in its logs or in a transcript' {
        $connection = New-DueConnection -Emulator $emulator -Client $client -BaseUri $plainBase
        $transcript = Join-Path $TestDrive 'proxy-transcript.txt'
        $wrongUri = "http://$($squid.UserName):wrong-$([guid]::NewGuid().ToString('n'))@127.0.0.1:$($squid.Port)"
        $result = Invoke-ProxyChild -Connection $connection -More @{ TEST_TRANSCRIPT = $transcript; TEST_WRONG = $wrongUri; TEST_PROXY_URI = $squid.UrlWithCredentials } -Script @"
`$PSStyle.OutputRendering = 'PlainText'
Start-Transcript -Path `$env:TEST_TRANSCRIPT | Out-Null
`$VerbosePreference = 'Continue'
`$PSDefaultParameterValues['*-TSheets*:Proxy'] = `$env:TEST_PROXY
`$PSDefaultParameterValues['*-TSheets*:ProxyCredential'] = `$proxyCredential
Set-DueToken '$plainBase'
Invoke-TSheetsRestMethod current_user -Name due | ConvertTo-Json -Depth 5 | Out-Host
Get-TSheetsToken -Name due -ForceRefresh | Format-List * -Force | Out-Host
try { Invoke-TSheetsRestMethod current_user -Name due -Proxy `$env:TEST_WRONG -ProxyCredential:`$null } catch { `$_ | Format-List * -Force | Out-Host; Get-Error | Out-Host }
try { Invoke-TSheetsRestMethod no/such/path -Name due -Proxy `$env:TEST_PROXY_URI -ProxyCredential:`$null } catch { Get-Error | Out-Host }
Stop-Transcript | Out-Null
'DONE'
"@
        $result.Output | Should -Contain 'DONE'
        $text = [IO.File]::ReadAllText($transcript)
        $text | Should -Match 'ProxyAuthenticationRequired' -Because 'the transcript holds the failures it is scanned for'
        $text | Should -Match 'no/such/path'
        $logs = Get-SquidLogText $squid
        $logs | Should -Match ([regex]::Escape("$plainBase/grant")) -Because 'the refresh went through squid'
        $secrets = @((Invoke-Emulator $emulator '/_emulator/secrets').values) + $client.PlainSecret + $squid.Password + ([uri]$wrongUri).UserInfo.Split(':')[1] +
            [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($squid.UserName):$($squid.Password)"))
        $secrets.Count | Should -BeGreaterOrEqual 7
        foreach ($secret in $secrets) {
            $text | Should -Not -Match ([regex]::Escape($secret))
            $logs | Should -Not -Match ([regex]::Escape($secret))
        }
    }
}
