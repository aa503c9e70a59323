BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
}

Describe 'New-TSheetsAuthorizationUrl' {
    It 'builds the documented URL with RFC 3986 encoding' {
        $request = New-TSheetsAuthorizationUrl -ClientId 'my app' -RedirectUri 'https://app.example/cb?x=1' -State 'a/b c' -NoPkce
        $request | Should -BeOfType ([TSheets.Auth.AuthorizationRequest])
        $request.CodeVerifier | Should -BeNullOrEmpty
        $request.Url.AbsoluteUri | Should -BeExactly 'https://rest.tsheets.com/api/v1/authorize?response_type=code&client_id=my%20app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1&state=a%2Fb%20c'
        "$request" | Should -BeExactly $request.Url.AbsoluteUri
        $request.State | Should -BeExactly 'a/b c'
        $request.ClientId | Should -BeExactly 'my app'
        $request.BaseUri | Should -Be ([uri]'https://rest.tsheets.com/api/v1')
    }

    It 'adds a PKCE S256 challenge by default, and the scopes asked for' {
        $request = New-TSheetsAuthorizationUrl -ClientId c -RedirectUri 'https://app.example/cb' -Scope openid, offline_access
        $request.CodeVerifier | Should -Match '^[A-Za-z0-9_-]{43}$'
        $challenge = [Convert]::ToBase64String([Security.Cryptography.SHA256]::HashData([Text.Encoding]::ASCII.GetBytes($request.CodeVerifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_')
        $request.Url.Query | Should -Match "&scope=openid%20offline_access&code_challenge=$([regex]::Escape($challenge))&code_challenge_method=S256$"
        $request.Scope | Should -Be @('openid', 'offline_access')
        ($request | Format-List | Out-String) | Should -Not -Match ([regex]::Escape($request.CodeVerifier))
    }

    It 'generates a fresh 32-byte base64url state each time' {
        $states = 1..20 | ForEach-Object { (New-TSheetsAuthorizationUrl -ClientId c -RedirectUri 'https://app.example/cb').State }
        $states | ForEach-Object { $_ | Should -Match '^[A-Za-z0-9_-]{43}$' }
        ($states | Sort-Object -Unique).Count | Should -Be 20
    }

    It 'uses -BaseUri and accepts http on loopback' {
        $request = New-TSheetsAuthorizationUrl -ClientId c -RedirectUri 'http://127.0.0.1:8400/cb' -BaseUri 'http://127.0.0.1:5000/api/v1/'
        $request.Url.AbsoluteUri | Should -BeLike 'http://127.0.0.1:5000/api/v1/authorize?*'
    }

    It 'refuses <Uri> as base URI with InvalidBaseUri' -TestCases @(
        @{ Uri = 'http://rest.tsheets.com/api/v1' }
        @{ Uri = 'ftp://127.0.0.1/api/v1' }
        @{ Uri = 'api/v1' }
    ) {
        { New-TSheetsAuthorizationUrl -ClientId c -RedirectUri 'https://app.example/cb' -BaseUri $Uri } |
            Should -Throw -ErrorId 'InvalidBaseUri,TSheets.Auth.Commands.NewTSheetsAuthorizationUrlCommand'
    }

    It 'refuses <Uri> as redirect URI with InvalidRedirectUri' -TestCases @(
        @{ Uri = 'http://app.example/cb' }
        @{ Uri = 'myapp://cb' }
        @{ Uri = 'cb' }
    ) {
        { New-TSheetsAuthorizationUrl -ClientId c -RedirectUri $Uri } |
            Should -Throw -ErrorId 'InvalidRedirectUri,TSheets.Auth.Commands.NewTSheetsAuthorizationUrlCommand'
    }

    It 'refuses a white-space client ID' {
        { New-TSheetsAuthorizationUrl -ClientId '  ' -RedirectUri 'https://app.example/cb' } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,TSheets.Auth.Commands.NewTSheetsAuthorizationUrlCommand'
    }

    It 'shows the request without a secret in its default view' {
        $text = New-TSheetsAuthorizationUrl -ClientId c -RedirectUri 'https://app.example/cb' | Out-String
        $text | Should -Match 'Url\s*:\s*https://rest.tsheets.com/api/v1/authorize'
    }
}
