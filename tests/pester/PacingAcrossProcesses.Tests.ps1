# Issue 21: one rate-limit budget per token for every process of the user. Several pwsh processes call
# the API on one token at a compressed limit (TSHEETS_AUTH_RATE_LIMIT and the emulator's own limit set
# alike); the emulator's own record of when each call arrived is the measure, never this test's clock.
# The processes start together on a signal (a file), once each has said it is ready.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $emulator = Start-TSheetsEmulator
    $limit = @{ Calls = 8; Seconds = 2 }
    $locks = Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'TSheets.Auth/locks'

    # ConvertFrom-Json reads the emulator's ISO 8601 times as DateTime already (milliseconds kept).
    function ConvertTo-Arrival($At) {
        if ($At -is [datetime]) { return [DateTimeOffset]::new($At.ToUniversalTime()) }
        [DateTimeOffset]::Parse($At, [Globalization.CultureInfo]::InvariantCulture)
    }

    function Get-ArrivalTimes([object[]] $Requests) { @($Requests | ForEach-Object { ConvertTo-Arrival $_.at } | Sort-Object) }

    # The module's fingerprint of a token: the name of its pacing file.
    function Get-TokenKey([string] $Token) {
        $hash = [Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes("TSheets.Auth fingerprint 1`n$Token"))
        -join ($hash[0..7] | ForEach-Object { $_.ToString('x2') })
    }

    # A pwsh that stores the token, says READY, waits for the go file, makes its calls (path $Path), and says DONE.
    function Start-Caller([string] $Token, [int] $Calls, [string] $Go, [string] $Path = 'current_user', [string] $Extra = '') {
        $script = @"
Set-TSheetsToken -Name shared -BaseUri '$($emulator.BaseUri)' -AccessToken (ConvertTo-SecureString `$env:TEST_TOKEN -AsPlainText -Force) -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(1))
'READY'
while (-not (Test-Path -LiteralPath '$Go')) { Start-Sleep -Milliseconds 5 }
for (`$i = 0; `$i -lt $Calls; `$i++) {
    Invoke-TSheetsRestMethod $Path -Name shared -TimeoutSec 60 $Extra 4>&1 | ForEach-Object { if (`$_ -is [System.Management.Automation.VerboseRecord]) { 'VERBOSE ' + `$_.Message } }
}
'DONE'
"@
        $info = New-PwshStartInfo -Script $script -Environment @{ TEST_TOKEN = $Token; TSHEETS_AUTH_RATE_LIMIT = "$($limit.Calls)/$($limit.Seconds)" }
        $process = [System.Diagnostics.Process]::Start($info)
        $process.StandardInput.Close()
        [pscustomobject]@{ Process = $process; Errors = $process.StandardError.ReadToEndAsync(); Lines = [System.Collections.Generic.List[string]]::new() }
    }

    function Wait-CallerLine($Caller, [string] $Line, [int] $TimeoutSec = 60) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        while ([DateTime]::UtcNow -lt $deadline) {
            $read = $Caller.Process.StandardOutput.ReadLineAsync()
            if (-not $read.Wait(($deadline - [DateTime]::UtcNow))) { break }
            if ($null -eq $read.Result) { break }
            $Caller.Lines.Add($read.Result)
            if ($read.Result -eq $Line) { return }
        }
        $errors = if ($Caller.Errors.IsCompleted) { $Caller.Errors.Result } else { '(still running)' }
        throw "The caller did not say $Line within $TimeoutSec s. It said:`n$($Caller.Lines -join "`n")`n$errors"
    }
}

AfterAll {
    Remove-Item Env:TSHEETS_AUTH_RATE_LIMIT -ErrorAction Ignore
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'One rate-limit budget per token across processes' {
    BeforeEach {
        Reset-Emulator $emulator
        Set-EmulatorConfig $emulator @{ rate_limit_count = $limit.Calls; rate_limit_window_seconds = $limit.Seconds }
        $token = (New-EmulatorToken $emulator).access_token
        $go = Join-Path $TestDrive "go-$([guid]::NewGuid().ToString('n'))"
    }

    It '4 processes x 12 calls: no 429, every call answered, within 20% of the ideal time, and -Verbose says it waits for other processes' {
        $callers = @(1..4 | ForEach-Object { Start-Caller -Token $token -Calls 12 -Go $go -Extra $(if ($_ -eq 1) { '-Verbose' } else { '' }) })
        try {
            foreach ($caller in $callers) { Wait-CallerLine $caller 'READY' }
            New-Item -ItemType File -Path $go | Out-Null
            foreach ($caller in $callers) { Wait-CallerLine $caller 'DONE' -TimeoutSec 120 }
        }
        finally { foreach ($caller in $callers) { if (-not $caller.Process.HasExited) { $caller.Process.Kill($true) } } }

        $requests = @((Get-EmulatorStats $emulator).api_requests)
        $requests.Count | Should -Be 48
        @($requests | Where-Object status -NE 200).Count | Should -Be 0 -Because 'no call met a 429'
        $times = Get-ArrivalTimes $requests
        Get-MostInAnyWindow $times $limit.Seconds | Should -BeLessOrEqual $limit.Calls
        # The i-th call may not start before floor(i / N) windows after the first: the last one, floor((C-1)/N) windows.
        $ideal = [Math]::Floor(($requests.Count - 1) / $limit.Calls) * $limit.Seconds
        $span = ($times[-1] - $times[0]).TotalSeconds
        $span | Should -BeLessOrEqual ($ideal * 1.2) -Because "the ideal is $ideal s"
        $span | Should -BeGreaterOrEqual ($ideal * 0.95)
        ($callers[0].Lines -join "`n") | Should -Match "VERBOSE Pacing calls on this token at $($limit.Calls) calls in $($limit.Seconds) s: waiting [0-9.]+ s, for calls other processes made on it too"
    }

    It 'a process killed in the middle of a call stalls the others by one window from that call''s start, no longer' {
        # One call per window: the victim's call, held by the emulator, is the only one counted.
        $limit = @{ Calls = 1; Seconds = 2 }
        Set-EmulatorConfig $emulator @{ rate_limit_count = $limit.Calls; rate_limit_window_seconds = $limit.Seconds }
        Add-EmulatorFault $emulator @{ path = '/api/v1/echo/held'; hang = $true }
        $survivorGo = "$go-survivor"
        $victim = Start-Caller -Token $token -Calls 1 -Go $go -Path 'echo/held'
        $survivor = Start-Caller -Token $token -Calls 1 -Go $survivorGo
        try {
            Wait-CallerLine $victim 'READY'
            Wait-CallerLine $survivor 'READY'
            New-Item -ItemType File -Path $go | Out-Null
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ((Get-EmulatorStats $emulator).api_arrivals -lt 1) {
                if ([DateTime]::UtcNow -gt $deadline) { throw 'The victim''s call never arrived.' }
                Start-Sleep -Milliseconds 10
            }
            $victim.Process.Kill($true)
            $victim.Process.WaitForExit()
            New-Item -ItemType File -Path $survivorGo | Out-Null
            Wait-CallerLine $survivor 'DONE' -TimeoutSec 30
        }
        finally { foreach ($caller in $victim, $survivor) { if (-not $caller.Process.HasExited) { $caller.Process.Kill($true) } } }

        $requests = @((Get-EmulatorStats $emulator).api_requests)
        @($requests | Where-Object status -EQ 429).Count | Should -Be 0
        $held = ConvertTo-Arrival @($requests | Where-Object path -EQ '/api/v1/echo/held')[0].at
        $after = ConvertTo-Arrival @($requests | Where-Object path -EQ '/api/v1/current_user')[0].at
        $stall = ($after - $held).TotalSeconds
        $stall | Should -BeLessOrEqual ($limit.Seconds * 1.2) -Because 'the dead call counts a window from its start, no longer'
        # The window runs from the victim's send, which its first connection made a little before the arrival.
        $stall | Should -BeGreaterOrEqual ($limit.Seconds * 0.75) -Because 'until then it counts, as a live call would'
    }

    It 'keeps the token''s pacing file private (0600, no secret in it) and never writes through a link planted in its place' -Skip:$IsWindows {
        $env:TSHEETS_AUTH_RATE_LIMIT = "$($limit.Calls)/$($limit.Seconds)"
        try {
            Set-TSheetsToken -Name private-pacing -BaseUri $emulator.BaseUri -AccessToken ($token | ConvertTo-TestSecureString) -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(1))
            Invoke-TSheetsRestMethod current_user -Name private-pacing | Out-Null
            $file = Join-Path $locks "$(Get-TokenKey $token).pace"
            (& stat -c '%a' $file) | Should -Be '600'
            [IO.File]::ReadAllText($file) | Should -Not -Match ([regex]::Escape($token))

            $other = (New-EmulatorToken $emulator).access_token
            $victimFile = Join-Path $TestDrive 'victim.txt'
            Set-Content -LiteralPath $victimFile -Value 'untouched' -NoNewline
            New-Item -ItemType SymbolicLink -Path (Join-Path $locks "$(Get-TokenKey $other).pace") -Target $victimFile | Out-Null
            Set-TSheetsToken -Name planted -BaseUri $emulator.BaseUri -AccessToken ($other | ConvertTo-TestSecureString) -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(1))
            $verbose = Invoke-TSheetsRestMethod current_user -Name planted -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        }
        finally { Remove-Item Env:TSHEETS_AUTH_RATE_LIMIT -ErrorAction Ignore }
        [IO.File]::ReadAllText($victimFile) | Should -Be 'untouched'
        ($verbose.Message -join "`n") | Should -Match 'Pacing this token within this process only: .*\.pace'' is a symbolic link'
    }
}
