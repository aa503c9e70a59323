# Issue 24, items 3, 4, 9, 10 and 11: items rather than pages, -Path completion, pipelines that bind
# as meant, Get-Help -Online, the import check for PowerShell 7.0 to 7.3, progress in words, a dead
# proxy named. Against the built module and the emulator.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TerminalHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $emulator = Start-TSheetsEmulator
    $documented = 'current_user', 'users', 'timesheets', 'jobcodes', 'groups', 'managed_clients', 'reports/payroll'
}

AfterAll {
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'Invoke-TSheetsRestMethod -Items, completion and pipelines' {
    BeforeEach {
        Reset-Emulator $emulator
        $client = New-EmulatorClient $emulator
        $name = New-ConnectionName
        $minted = New-EmulatorToken $emulator -ClientId $client.ClientId
        $tokenLine = "Set-TSheetsToken -Name '$name' -BaseUri '$($emulator.BaseUri)' -AccessToken (ConvertTo-SecureString '$($minted.access_token)' -AsPlainText -Force) -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(9))"
        Invoke-Expression $tokenLine
    }

    It 'writes every user of every page as an object of its own with -All -Items, so Where-Object active just works' {
        $users = @(Invoke-TSheetsRestMethod users -All -Items -Name $name)
        $users.Count | Should -Be 450
        $users[0].id | Should -Not -BeNullOrEmpty
        $users[0].PSObject.Properties.Name | Should -Contain 'first_name'
        @($users | Where-Object active).Count | Should -BeGreaterThan 0
        @($users.id | Sort-Object -Unique).Count | Should -Be 450
        @((Get-EmulatorStats $emulator).api_requests).Count | Should -Be 3
    }

    It 'writes current_user''s one user with -Items, and the raw answer without it' {
        $me = Invoke-TSheetsRestMethod current_user -Items -Name $name
        @($me).Count | Should -Be 1
        $me.username | Should -Be 'admin'
        (Invoke-TSheetsRestMethod current_user -Name $name).results.users.'12345'.username | Should -Be 'admin'
    }

    It 'says in progress "1 page", "2 pages"' {
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$(Get-TestModulePath)'; `$ProgressPreference = 'Continue'; Invoke-TSheetsRestMethod users -All -Name '$name' | Out-Null; Invoke-TSheetsRestMethod current_user -All -Name '$name' | Out-Null")
            $null = $shell.Invoke()
            $said = $shell.Streams.Progress.StatusDescription
        }
        finally { $shell.Dispose() }
        $said | Should -Contain '1 page, 200 items so far'
        $said | Should -Contain '2 pages, 400 items so far'
        $said | Should -Contain '3 pages, 450 items'
        $said | Should -Contain '1 page, 1 item'
        $said -join "`n" | Should -Not -Match '\b1 pages\b|\b1 items\b'
    }

    It 'completes -Path with TSheets'' endpoints, not files' {
        New-Item -ItemType File -Path (Join-Path $TestDrive 'users-export.csv') -Force | Out-Null
        Push-Location $TestDrive
        try {
            $line = 'Invoke-TSheetsRestMethod use'
            $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
            $line = 'Invoke-TSheetsRestMethod -Name x -Path cur'
            $named = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
            $line = 'Invoke-TSheetsRestMethod '
            $all = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        }
        finally { Pop-Location }
        $completions.CompletionText | Should -Be @('users')
        $completions.ResultType | Should -Be 'ParameterValue'
        $named.CompletionText | Should -Be @('current_user')
        $documented | ForEach-Object { $all | Should -Contain $_ }
        $all | Should -Not -Contain 'users-export.csv'
    }

    It 'takes strings piped in as paths, one call each' {
        $answers = @('users', 'current_user' | Invoke-TSheetsRestMethod -Name $name)
        $answers.Count | Should -Be 2
        (Get-EmulatorStats $emulator).api_requests.path | Should -Be @('/api/v1/users', '/api/v1/current_user')
    }

    It 'takes a token piped in as the connection to use (its Name), never as a body' {
        # A new process: no 'default' connection there, so a call that ignored the piped Name would fail.
        $result = Invoke-FreshPwsh "$tokenLine; Get-TSheetsToken -Name '$name' | Invoke-TSheetsRestMethod current_user -Items -WarningVariable warned | ForEach-Object { 'USER ' + `$_.username }; 'WARNINGS ' + @(`$warned).Count"
        $result.Output | Should -Contain 'USER admin'
        $result.Output | Should -Contain 'WARNINGS 0' -Because 'a token bound to -Body would warn that -Body is not sent with GET'
    }

    It 'still takes a body piped in once -Path is given' {
        $body = @{ data = @(@{ user_id = 1001; type = 'manual'; date = '2026-11-27'; duration = 3600 }) }
        $answer = $body | Invoke-TSheetsRestMethod timesheets -Method POST -Name $name
        $answer.results.timesheets.'1'.user_id | Should -Be 1001
        (Get-EmulatorStats $emulator).api_requests[-1].method | Should -Be 'POST'
    }
}

Describe 'Get-Help -Online' {
    It 'gives each cmdlet a HelpUri that is its Markdown help in the repository' {
        $project = (Import-PowerShellDataFile (Join-Path (Get-TestModulePath) 'TSheets.Auth.psd1')).PrivateData.PSData.ProjectUri
        foreach ($command in (Get-Module TSheets.Auth).ExportedCmdlets.Values) {
            $command.HelpUri | Should -Be "$project/blob/main/docs/help/$($command.Name).md"
            Test-Path -LiteralPath (Join-Path $PSScriptRoot "../../docs/help/$($command.Name).md") | Should -BeTrue
        }
    }

    It 'opens that page' -Skip:$IsWindows {
        $opener = Join-Path $TestDrive 'opener'
        New-Item -ItemType Directory -Path $opener -Force | Out-Null
        $log = Join-Path $opener 'opened.txt'
        Set-Content -LiteralPath (Join-Path $opener 'xdg-open') -Value "#!/bin/sh`nprintf '%s\n' `"`$1`" >> $(ConvertTo-BashWord $log)`n" -NoNewline
        & chmod +x (Join-Path $opener 'xdg-open')
        $result = Invoke-FreshPwsh -Environment @{ PATH = "$opener$([IO.Path]::PathSeparator)$env:PATH"; DISPLAY = ':0' } "Get-Help Get-TSheetsConnection -Online; 'ASKED'"
        $result.Output | Should -Contain 'ASKED'
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (-not (Test-Path -LiteralPath $log) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        Get-Content -LiteralPath $log | Should -Be 'https://github.com/tsheets-auth/TSheets.Auth/blob/main/docs/help/Get-TSheetsConnection.md'
    }
}

Describe 'Importing on PowerShell 7.0 to 7.3' {
    It 'fails at once on <Version>, saying it needs PowerShell 7.4+ or Windows PowerShell 5.1, and loads nothing' -ForEach @(@{ Version = '7.0' }, @{ Version = '7.3' }) {
        $result = Invoke-FreshPwsh -NoImport -Environment @{ TSHEETS_AUTH_TEST_PSVERSION = $Version } @"
try { Import-Module '$(Get-TestModulePath)' -ErrorAction Stop; 'IMPORTED' } catch { 'ERRORID ' + `$_.FullyQualifiedErrorId; 'MESSAGE ' + `$_.Exception.Message }
'LOADED ' + [bool](Get-Module TSheets.Auth)
"@
        $text = $result.Output -join "`n"
        $text | Should -Match 'ERRORID NotSupported,Microsoft.PowerShell.Commands.ImportModuleCommand'
        $text | Should -Match "MESSAGE TSheets.Auth needs PowerShell 7.4 or later, or Windows PowerShell 5.1: this is PowerShell $([regex]::Escape($Version))"
        $text | Should -Match 'LOADED False'
        $text | Should -Not -Match 'IMPORTED'
    }

    It 'imports on 7.4 (the control)' {
        (Invoke-FreshPwsh -NoImport -Environment @{ TSHEETS_AUTH_TEST_PSVERSION = '7.4' } "Import-Module '$(Get-TestModulePath)'; 'LOADED ' + [bool](Get-Module TSheets.Auth)").Output | Should -Contain 'LOADED True'
    }
}

Describe 'A dead proxy' {
    It 'is named, and TSheets is not blamed' {
        $port = Get-FreePort
        # Case-sensitive keys: the variables are read in either case, and only ours may be set.
        $environment = [hashtable]::new([StringComparer]::Ordinal)
        $environment['HTTPS_PROXY'] = "http://proxyuser:proxy-pass-1234@127.0.0.1:$port"
        foreach ($other in 'https_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy') { $environment[$other] = $null }
        $environment['TSHEETS_ACCESS_TOKEN'] = 'S.7__proxytest00000000000000000000000000000'
        $environment['TSHEETS_BASE_URI'] = 'https://rest.tsheets.example/api/v1'
        $result = Invoke-FreshPwsh -Environment $environment "try { Invoke-TSheetsRestMethod current_user -MaximumRetryCount 0 -TimeoutSec 20 } catch { 'ERRORID ' + `$_.FullyQualifiedErrorId; 'MESSAGE ' + `$_.Exception.Message }"
        $text = $result.Output -join "`n"
        $text | Should -Match 'ERRORID ServiceUnavailable,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand'
        $text | Should -Match "MESSAGE The proxy http://127\.0\.0\.1:$port could not be reached, so https://rest\.tsheets\.example was not: the connection was refused"
        $text | Should -Match "Check the proxy's address"
        $text | Should -Not -Match 'proxy-pass-1234|proxyuser|S\.7__proxytest'
    }
}
