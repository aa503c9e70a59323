# Issue 24, item 6: a connection whose refresh token is dead fails at once (a refused refresh is
# permanent: nothing to retry or wait for), with the whole command to sign in again. Measured from the
# emulator's own record of the refused /grant to the moment the script's catch runs, in the places a
# sysadmin meets it: a scheduled job (pwsh -NonInteractive -File job.ps1 </dev/null) and a terminal,
# for a session-only connection, SecretStore, and the test extension vault (which other machines
# could share). The signals: one /grant request, no retry; the extension vault read twice (the load
# and one look for another machine's pair), where a wait would poll it; and a bound (1.8 s) on the time
# from the refusal to the error, under the 2 s wait that came before (seen failing at 2.1 and 2.2 s
# on a quiet machine), with room for a busy one (70 to 180 ms quiet, up to 1 s with the machine's
# two cores taken).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TerminalHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'VaultHelpers.psm1') -Force
    $emulator = Start-TSheetsEmulator
    $vaults = Initialize-TestVault
    $deadRefresh = 'dead' * 10

    # The emulator's own first refusal is slow (its code runs for the first time): have it once here,
    # so the time measured is the module's.
    $warm = New-EmulatorClient $emulator
    Invoke-WebRequest -Method Post -Uri "$($emulator.BaseUri)/grant" -SkipHttpErrorCheck -TimeoutSec 30 -Body @{ grant_type = 'refresh_token'; refresh_token = 'warm' * 10; client_id = $warm.ClientId; client_secret = $warm.PlainSecret } | Out-Null

    # The stored document of an expired pair whose refresh token TSheets does not know, issued some days ago.
    function Get-DeadDocument($Client, [int] $DaysOld) {
        $issued = [DateTimeOffset]::UtcNow.AddDays(-$DaysOld)
        [ordered]@{
            version = 1; access_token = 'S.7__' + ('0' * 40); refresh_token = $deadRefresh
            issued_on = $issued.ToString('o'); expires_on = $issued.AddHours(1).ToString('o')
            client_id = $Client.ClientId; client_secret = $Client.PlainSecret; user_id = '12345'; base_uri = "$($emulator.BaseUri)"
        } | ConvertTo-Json -Compress
    }

    # The job's lines: the connection made where the case needs it, then one call, the error and the time it was caught.
    function Get-JobScript([string] $Case, [string] $Name, $Client) {
        $setup = if ($Case -eq 'Session') {
            "Set-TSheetsToken -Name '$Name' -AccessToken (ConvertTo-SecureString ('S.7__' + ('0' * 40)) -AsPlainText -Force) -RefreshToken (ConvertTo-SecureString '$deadRefresh' -AsPlainText -Force) -ClientId '$($Client.ClientId)' -ClientSecret (ConvertTo-SecureString '$($Client.PlainSecret)' -AsPlainText -Force) -BaseUri '$($emulator.BaseUri)' -ExpiresOn ([DateTimeOffset]::UtcNow.AddSeconds(1)); while ((Get-TSheetsConnection '$Name').TimeLeft -gt [TimeSpan]::Zero) { Start-Sleep -Milliseconds 50 }"
        }
        else { '' }
        $vault = if ($Case -eq 'Session') { '' } else { " -Vault $Case" }
        @"
Import-Module '$(Get-TestModulePath)'
$setup
try { Invoke-TSheetsRestMethod current_user -Name '$Name'$vault | Out-Null; 'NO ERROR' }
catch { 'CAUGHT ' + [DateTimeOffset]::UtcNow.ToString('o'); 'ERRORID ' + `$_.FullyQualifiedErrorId; 'MESSAGE ' + `$_.Exception.Message }
'EXIT'
"@
    }

    # The refused refresh as the emulator recorded it, and how long after it the script caught the error.
    function Get-Refusal([string] $Output) {
        # The times as the emulator wrote them (milliseconds, UTC): Invoke-RestMethod would make them DateTimes, and text without them.
        $stats = (Invoke-WebRequest -Uri "$($emulator.Url)/_emulator/stats" -TimeoutSec 30).Content | ConvertFrom-Json -DateKind String
        $refreshes = @($stats.grant_requests | Where-Object grant_type -EQ 'refresh_token')
        $caught = [DateTimeOffset]::Parse([regex]::Match($Output, 'CAUGHT (\S+)').Groups[1].Value, [Globalization.CultureInfo]::InvariantCulture)
        $refused = [DateTimeOffset]::Parse($refreshes[-1].at, [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::AssumeUniversal)
        [pscustomobject]@{ Count = $refreshes.Count; Status = $refreshes[-1].status; Gap = $caught - $refused }
    }

    function Get-ReadCount([string] $Name) {
        $log = "$($vaults.Flaky.Path).reads"
        if (-not (Test-Path -LiteralPath $log)) { return 0 }
        @(Get-Content -LiteralPath $log | Where-Object { $_ -eq "TSheets.Auth.$Name" }).Count
    }
}

AfterAll {
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'A dead refresh token fails at once, with the command to sign in again (<Case>, <Where>)' -ForEach @(
    @{ Case = 'Session'; Where = 'a scheduled job' }
    @{ Case = 'Ops'; Where = 'a scheduled job' }
    @{ Case = 'Flaky'; Where = 'a scheduled job' }
    @{ Case = 'Session'; Where = 'a terminal' }
    @{ Case = 'Ops'; Where = 'a terminal' }
    @{ Case = 'Flaky'; Where = 'a terminal' }
) {
    BeforeEach {
        Reset-Emulator $emulator
        $client = New-EmulatorClient $emulator
        $name = New-ConnectionName
        if ($Case -ne 'Session') {
            # Past the two weeks TSheets keeps a refresh token: no other machine could have used it. Stored
            # from here through SecretManagement, as a sign-in elsewhere would have left it, before the job starts.
            Set-FixtureSecret $name (Get-DeadDocument $client -DaysOld 15) -Vault $Case
        }
    }

    It 'fails with RefreshFailed, the whole sign-in command, one /grant, and no wait' {
        if ($Where -eq 'a terminal' -and $IsWindows) { Set-ItResult -Skipped -Because 'tmux'; return }
        $script = Get-JobScript $Case $name $client
        if ($Where -eq 'a scheduled job') {
            $job = Join-Path $TestDrive "job-$name.ps1"
            Set-Content -LiteralPath $job -Value $script
            $run = Wait-ChildProcess (Start-ChildProcess -FilePath '/bin/sh' -ArgumentList '-c', "'$(Get-PwshPath)' -NoProfile -NonInteractive -File '$job' </dev/null") -TimeoutSec 120
            $output = $run.Output + $run.Errors
            $run.TimedOut | Should -BeFalse
        }
        else {
            $terminal = Start-TmuxPwsh $script
            try { Wait-TmuxText $terminal '(?s)EXIT' -TimeoutSec 120 | Out-Null; $output = Get-TmuxScreen $terminal }
            finally { Stop-TmuxPwsh $terminal }
        }

        $flat = $output -replace '\s*\r?\n\s*', ' '
        $flat | Should -Match 'ERRORID RefreshFailed,TSheets.Auth.Commands.InvokeTSheetsRestMethodCommand'
        $flat | Should -Match 'The refresh token was refused for good: nothing to retry or wait for\.'
        $vault = if ($Case -eq 'Session') { '' } else { " -Vault '$Case'" }
        $flat | Should -Match ([regex]::Escape("Sign in again: Connect-TSheets -Name '$name'$vault -ClientId '$($client.ClientId)' -ClientSecret `$secret -RedirectUri <your app's redirect URI> -BaseUri '$($emulator.BaseUri)'"))
        $refusal = Get-Refusal $flat
        $refusal.Count | Should -Be 1 -Because 'a refused refresh is permanent: nothing to retry'
        $refusal.Status | Should -Be 400
        Write-Host "    $Case, $($Where): the error was caught $([int]$refusal.Gap.TotalMilliseconds) ms after the emulator received the refused refresh."
        $refusal.Gap.TotalMilliseconds | Should -BeLessThan 1800 -Because "the error came $([int]$refusal.Gap.TotalMilliseconds) ms after TSheets refused the refresh"
        if ($Case -eq 'Flaky') {
            Get-ReadCount $name | Should -Be 2 -Because 'one read to load it and one look for another machine''s pair; a wait would poll the vault'
        }
    }
}
