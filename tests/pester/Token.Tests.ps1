BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $emulator = Start-TSheetsEmulator

    # A web-UI token that expires moments after it is stored (an expired one is refused at the door, so
    # it cannot be stored expired): the shortest lead the store accepts, retried longer on a busy
    # machine, then a wait on the module's own verdict (TimeLeft), not a sleep of a guessed length.
    function Set-ExpiringWebUiToken([string] $Name, [string] $Token) {
        foreach ($leadMs in 150, 1000, 5000) {
            try {
                Set-TSheetsToken -AccessToken ($Token | ConvertTo-TestSecureString) -Name $Name -ExpiresOn ([DateTimeOffset]::UtcNow.AddMilliseconds($leadMs)) -ErrorAction Stop
                break
            }
            catch { if ($_.FullyQualifiedErrorId -notlike 'TokenExpired,*' -or $leadMs -eq 5000) { throw } }
        }
        while ((Get-TSheetsConnection $Name).TimeLeft -gt [TimeSpan]::Zero) { Start-Sleep -Milliseconds 20 }
    }
}

AfterAll {
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'Set-TSheetsToken and Get-TSheetsToken' {
    BeforeEach {
        Reset-Emulator $emulator
        $client = New-EmulatorClient $emulator
        $name = New-ConnectionName
    }

    Context 'a token made in the web UI' {
        It 'stores a token piped from a SecureString and reads it back' {
            $minted = New-EmulatorToken $emulator -NotRefreshable -ExpiresIn 5184000
            $minted.access_token | ConvertTo-TestSecureString |
                Set-TSheetsToken -Name $name -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(60)) -BaseUri $emulator.BaseUri
            $token = Get-TSheetsToken -Name $name
            $token | Should -BeOfType ([TSheets.Auth.TSheetsToken])
            $token.CanRefresh | Should -BeFalse
            $token.RefreshToken | Should -BeNullOrEmpty
            $token.TokenType | Should -Be 'Bearer'
            ($token.AccessToken | ConvertFrom-TestSecureString) | Should -BeExactly $minted.access_token
            Get-TSheetsToken -Name $name -AsPlainText | Should -BeExactly $minted.access_token
        }

        It 'works with Invoke-RestMethod -Authentication Bearer' {
            $minted = New-EmulatorToken $emulator -NotRefreshable
            Set-TSheetsToken -AccessToken ($minted.access_token | ConvertTo-TestSecureString) -Name $name -BaseUri $emulator.BaseUri
            $me = Invoke-RestMethod -Uri "$($emulator.BaseUri)/current_user" -Authentication Bearer -Token (Get-TSheetsToken -Name $name).AccessToken -AllowUnencryptedAuthentication
            $me.results.users.'12345'.username | Should -Be 'admin'
        }

        It 'refuses to store an expired token it cannot refresh' {
            { Set-TSheetsToken -AccessToken ('S.7__old' | ConvertTo-TestSecureString) -ExpiresOn ([DateTimeOffset]::UtcNow.AddMinutes(-1)) -Name $name } |
                Should -Throw -ErrorId 'TokenExpired,TSheets.Auth.Commands.SetTSheetsTokenCommand'
            Get-TSheetsToken -Name $name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'reports an expired web-UI token with where to extend it' {
            Set-ExpiringWebUiToken $name 'S.7__short'
            $err = { Get-TSheetsToken -Name $name -ErrorAction Stop } |
                Should -Throw -ErrorId 'TokenExpired,TSheets.Auth.Commands.GetTSheetsTokenCommand' -PassThru
            $err.Exception.Message | Should -Match 'web UI'
            $err.TargetObject | Should -Be $name
        }

        It 'changes nothing with -WhatIf' {
            Set-TSheetsToken -AccessToken ('S.7__whatif' | ConvertTo-TestSecureString) -Name $name -WhatIf
            Get-TSheetsToken -Name $name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'refuses an empty access token' {
            { Set-TSheetsToken -AccessToken ([securestring]::new()) -Name $name } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,TSheets.Auth.Commands.SetTSheetsTokenCommand'
        }

        It 'returns the stored token with -PassThru, and copies a piped token under a new name' {
            $token = Set-TSheetsToken -AccessToken ('S.7__passthru' | ConvertTo-TestSecureString) -Name $name -PassThru
            $token.Name | Should -Be $name
            $token | Set-TSheetsToken -Name "$name-copy"
            Get-TSheetsToken -Name "$name-copy" -AsPlainText | Should -BeExactly 'S.7__passthru'
        }
    }

    Context 'lookup' {
        It 'reports a missing connection as TokenNotFound' {
            { Get-TSheetsToken -Name $name -ErrorAction Stop } |
                Should -Throw -ErrorId 'TokenNotFound,TSheets.Auth.Commands.GetTSheetsTokenCommand'
        }

        It 'returns every connection matching a wildcard, and nothing (no error) when none match' {
            Set-TSheetsToken -AccessToken ('S.7__a' | ConvertTo-TestSecureString) -Name "$name-a"
            Set-TSheetsToken -AccessToken ('S.7__b' | ConvertTo-TestSecureString) -Name "$name-b"
            (Get-TSheetsToken -Name "$name-*").Name | Sort-Object | Should -Be @("$name-a", "$name-b")
            Get-TSheetsToken -Name "$name-zz*" -ErrorVariable errors | Should -BeNullOrEmpty
            $errors | Should -BeNullOrEmpty
        }

        It 'lists, with a pattern, a token that can no longer be used, with a warning saying why (issue 24)' {
            Set-ExpiringWebUiToken "$name-old" 'S.7__gone'
            Set-TSheetsToken -AccessToken ('S.7__live' | ConvertTo-TestSecureString) -Name "$name-new"
            $listed = Get-TSheetsToken -Name "$name-*" -WarningVariable warned -WarningAction SilentlyContinue -ErrorVariable failed
            $listed.Name | Sort-Object | Should -Be @("$name-new", "$name-old")
            "$warned" | Should -Match "The token '$name-old' expired on .*web UI"
            $failed | Should -BeNullOrEmpty
        }

        It 'shows no secret in the default view' {
            Set-TSheetsToken -AccessToken ('S.7__0123456789abcdef0123456789abcdef01234567' | ConvertTo-TestSecureString) -Name $name
            $table = Get-TSheetsToken -Name $name | Out-String
            $list = Get-TSheetsToken -Name $name | Format-List * | Out-String
            $table | Should -Match $name
            $table | Should -Match 'CanRefresh'
            $table + $list | Should -Not -Match '0123456789abcdef'
            $list | Should -Match 'AccessToken\s*:\s*System.Security.SecureString'
        }
    }

    Context 'refresh' {
        BeforeEach {
            $minted = New-EmulatorToken $emulator -ClientId $client.ClientId
            function Set-Expiring([TimeSpan] $Left) {
                Set-TSheetsToken -Name $name -BaseUri $emulator.BaseUri -ClientId $client.ClientId -ClientSecret $client.ClientSecret `
                    -AccessToken ($minted.access_token | ConvertTo-TestSecureString) `
                    -RefreshToken ($minted.refresh_token | ConvertTo-TestSecureString) `
                    -ExpiresOn ([DateTimeOffset]::UtcNow + $Left)
            }
        }

        It 'refreshes a token with under five minutes left, and rotates the pair' {
            Set-Expiring ([TimeSpan]::FromMinutes(3))
            $token = Get-TSheetsToken -Name $name -Verbose 4>&1 | Tee-Object -Variable stream | Where-Object { $_ -is [TSheets.Auth.TSheetsToken] }
            ($stream | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Match 'Refreshed the token'
            ($token.AccessToken | ConvertFrom-TestSecureString) | Should -Not -Be $minted.access_token
            ($token.RefreshToken | ConvertFrom-TestSecureString) | Should -Not -Be $minted.refresh_token
            $token.ExpiresOn | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddDays(9))
            $stats = Get-EmulatorStats $emulator
            $stats.grants.refresh_token | Should -Be 1
            $stats.grant_requests[0].has_authorization | Should -BeFalse -Because 'the access token has no business at the token endpoint'
            # The old refresh token is spent; the stored one is the new one.
            (Get-TSheetsToken -Name $name -ForceRefresh).UserId | Should -Be '12345'
            (Get-EmulatorStats $emulator).grants.refresh_token | Should -Be 2
        }

        It 'does not refresh a fresh token, nor with -NoRefresh' {
            Set-Expiring ([TimeSpan]::FromDays(9))
            Get-TSheetsToken -Name $name -AsPlainText | Should -BeExactly $minted.access_token
            Set-Expiring ([TimeSpan]::FromMinutes(3))
            Get-TSheetsToken -Name $name -NoRefresh -AsPlainText | Should -BeExactly $minted.access_token
            (Get-EmulatorStats $emulator).grants.total | Should -Be 0
        }

        It 'keeps the old refresh token when the answer carries none' {
            Set-EmulatorConfig $emulator @{ omit_refresh_token_on_refresh = $true }
            Set-Expiring ([TimeSpan]::FromMinutes(3))
            $token = Get-TSheetsToken -Name $name
            ($token.RefreshToken | ConvertFrom-TestSecureString) | Should -BeExactly $minted.refresh_token
            Get-TSheetsToken -Name $name -ForceRefresh | Should -Not -BeNullOrEmpty
            (Get-EmulatorStats $emulator).grants.refresh_token | Should -Be 2
        }

        It 'says -NoRefresh kept an expired token that could refresh from being refreshed, not that credentials are missing (issue 24)' {
            # A token that can refresh may be stored already expired.
            Set-Expiring ([TimeSpan]::FromSeconds(-1))
            (Get-TSheetsConnection $name).TimeLeft | Should -BeLessOrEqual ([TimeSpan]::Zero)
            $err = { Get-TSheetsToken -Name $name -NoRefresh -ErrorAction Stop } | Should -Throw -ErrorId 'TokenExpired,TSheets.Auth.Commands.GetTSheetsTokenCommand' -PassThru
            $err.Exception.Message | Should -Match 'it can be refreshed, but -NoRefresh was given'
            $err.Exception.Message | Should -Not -Match 'without the app''s client ID and secret'
            (Get-EmulatorStats $emulator).grants.total | Should -Be 0
        }

        It 'returns a still-valid token with a warning when the refresh fails' {
            Set-Expiring ([TimeSpan]::FromMinutes(3))
            Add-EmulatorFault $emulator @{ path = '/api/v1/grant'; status = 503; body = 'down'; content_type = 'text/plain' }
            $token = Get-TSheetsToken -Name $name -WarningVariable warnings -WarningAction SilentlyContinue
            ($token.AccessToken | ConvertFrom-TestSecureString) | Should -BeExactly $minted.access_token
            "$warnings" | Should -Match 'could not be refreshed'
        }

        It 'fails with RefreshFailed for an expired token, and loses nothing' {
            Set-Expiring ([TimeSpan]::FromSeconds(-5))
            Add-EmulatorFault $emulator @{ path = '/api/v1/grant'; status = 502; body = 'bad gateway'; content_type = 'text/plain' }
            $err = { Get-TSheetsToken -Name $name -ErrorAction Stop } |
                Should -Throw -ErrorId 'RefreshFailed,TSheets.Auth.Commands.GetTSheetsTokenCommand' -PassThru
            $err.Exception.InnerException.ErrorId | Should -Be 'ServiceUnavailable'
            # Once TSheets is back, the kept refresh token still works.
            (Get-TSheetsToken -Name $name).UserId | Should -Be '12345'
        }

        It 'fails with -ForceRefresh on a token that cannot refresh' {
            Set-TSheetsToken -AccessToken ('S.7__webui' | ConvertTo-TestSecureString) -Name $name
            { Get-TSheetsToken -Name $name -ForceRefresh -ErrorAction Stop } |
                Should -Throw -ErrorId 'RefreshFailed,TSheets.Auth.Commands.GetTSheetsTokenCommand'
        }

        It 'lets 24 parallel runspaces refresh an expiring token with one /grant call' {
            Set-Expiring ([TimeSpan]::FromMinutes(2))
            $modulePath = Get-TestModulePath
            $tokens = 1..24 | ForEach-Object -ThrottleLimit 24 -Parallel {
                Import-Module $using:modulePath
                Get-TSheetsToken -Name $using:name -AsPlainText
            }
            $tokens.Count | Should -Be 24
            @($tokens | Sort-Object -Unique).Count | Should -Be 1
            $tokens[0] | Should -Not -Be $minted.access_token
            (Get-EmulatorStats $emulator).grants.total | Should -Be 1
            Get-TSheetsToken -Name $name -AsPlainText | Should -BeExactly $tokens[0]
        }
    }
}
