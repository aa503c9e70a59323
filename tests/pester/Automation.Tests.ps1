# A scheduled script that forgot -NonInteractive (issue 12, finding 1): every way a scheduler, a
# pipe or a job starts pwsh without a person at it, with both kinds of redirect URI, as real child
# processes. The script is the one a user writes: try { Connect-TSheets } catch { exit 3 } finally.
# Before the fix, an https redirect read the hidden paste prompt to end of file and pwsh exited 0
# (catch, finally and exit 3 never ran); a loopback redirect ran the browser and waited 300 s.

BeforeDiscovery {
    $contexts = @(
        @{ Context = 'pwsh -File job.ps1 </dev/null'; Key = 'file'; Why = 'standard input is redirected or closed'; Unix = $true }
        # cron's environment: HOME, LOGNAME, SHELL and a short PATH, nothing else.
        @{ Context = 'env -i PATH HOME BROWSER pwsh -File job.ps1 </dev/null'; Key = 'env'; Why = 'standard input is redirected or closed'; Unix = $true }
        @{ Context = 'cat job.ps1 | pwsh -Command -'; Key = 'pipe'; Why = 'standard input is redirected or closed'; Unix = $true }
        @{ Context = 'Start-Job in a child pwsh'; Key = 'job'; Why = 'has no user interface'; Unix = $false }
        @{ Context = 'pwsh -NonInteractive -File job.ps1'; Key = 'noni'; Why = 'started with -NonInteractive'; Unix = $false }
    )
    $cases = foreach ($context in $contexts) {
        foreach ($kind in 'loopback', 'https') { $context + @{ Kind = $kind } }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TerminalHelpers.psm1') -Force
    $emulator = Start-TSheetsEmulator
    Reset-Emulator $emulator
    $pwsh = Get-PwshPath
    $module = Get-TestModulePath
    $https = New-EmulatorClient $emulator -RedirectUri 'https://app.example/callback'

    # The script a user schedules. The blank line after the try statement ends it for -Command -,
    # which reads a script line by line and runs a statement once a blank line completes it.
    function New-JobScript([string] $Path, $Client, [int] $Port) {
        $probe = if ($Port) {
            "    `$probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, $Port)`n" +
            "    try { `$probe.Start(); 'PORTFREE True' } catch { 'PORTFREE False' } finally { `$probe.Stop() }`n"
        }
        Set-Content -LiteralPath $Path -Value @"
`$ErrorActionPreference = 'Stop'
Import-Module '$module'
`$secret = ConvertTo-SecureString '$($Client.PlainSecret)' -AsPlainText -Force
`$watch = [System.Diagnostics.Stopwatch]::new()
try {
    `$watch.Start()
    Connect-TSheets -ClientId '$($Client.ClientId)' -ClientSecret `$secret -RedirectUri '$($Client.RedirectUri)' -BaseUri '$($emulator.BaseUri)' -TimeoutSec 300
    'CONNECTED'
}
catch {
    `$watch.Stop()
    'ERRORID ' + `$_.FullyQualifiedErrorId
    'MESSAGE ' + `$_.Exception.Message
    'ELAPSED ' + `$watch.ElapsedMilliseconds
$probe    exit 3
}
finally {
    'FINALLY'
}

'AFTER-TRY'
"@
    }

    $ports = @{}
    $recorders = @{}
    # The same cases as the test cases (discovery's variables do not reach this phase).
    $runs = foreach ($key in 'file', 'env', 'pipe', 'job', 'noni') {
        foreach ($kind in 'loopback', 'https') { @{ Key = $key; Kind = $kind; Unix = $key -in 'file', 'env', 'pipe' } }
    }
    $items = foreach ($case in $runs) {
        $id = "$($case.Key)-$($case.Kind)"
        if ($case.Unix -and $IsWindows) { continue }
        $folder = Join-Path $TestDrive $id
        $recorder = New-OpenerRecorder (Join-Path $folder 'openers')
        $recorders[$id] = $recorder
        $client = $https
        if ($case.Kind -eq 'loopback') {
            $ports[$id] = Get-FreePort
            $client = New-EmulatorClient $emulator -RedirectUri "http://127.0.0.1:$($ports[$id])/callback"
        }
        $job = Join-Path $folder 'job.ps1'
        New-JobScript $job $client $ports[$id]
        $path = $recorder.Folder + [IO.Path]::PathSeparator + $env:PATH
        $environment = @{ BROWSER = $recorder.Browser; PATH = $path }
        $p = ConvertTo-BashWord $pwsh
        $j = ConvertTo-BashWord $job
        switch ($case.Key) {
            'file' { $command = "$p -NoProfile -File $j </dev/null" }
            # PATH, so the apphost finds dotnet wherever CI installed it (and the openers lead it);
            # HOME, the tests' throw-away home, so pwsh's caches do not land in the real one. BROWSER
            # is kept so a launch would be recorded; DISPLAY, TERM and the rest are gone.
            'env' {
                $command = "env -i PATH=$(ConvertTo-BashWord $path) HOME=$(ConvertTo-BashWord $env:HOME) " +
                "BROWSER=$(ConvertTo-BashWord $recorder.Browser) $p -NoProfile -File $j </dev/null"
            }
            'pipe' { $command = "cat $j | $p -NoProfile -Command -" }
            'job' {
                # A job has no exit code: `exit 3` in a script called with & sets $LASTEXITCODE.
                $outer = Join-Path $folder 'outer.ps1'
                Set-Content -LiteralPath $outer -Value @"
`$job = Start-Job -ScriptBlock { & '$job'; "JOBEXIT `$LASTEXITCODE" }
`$job | Receive-Job -Wait -AutoRemoveJob
'JOBSTATE ' + `$job.State
"@
                $command = "$p -NoProfile -File $(ConvertTo-BashWord $outer) </dev/null"
            }
            'noni' { $command = "$p -NoProfile -NonInteractive -File $j" }
        }
        if ($IsWindows) {
            # Only the Start-Job and -NonInteractive cases run on Windows: no bash there.
            $arguments = if ($case.Key -eq 'job') { @('-NoProfile', '-File', $outer) } else { @('-NoProfile', '-NonInteractive', '-File', $job) }
            @{ Name = $id; FilePath = $pwsh; ArgumentList = $arguments; Environment = $environment }
        }
        else {
            @{ Name = $id; FilePath = 'bash'; ArgumentList = @('-c', $command); Environment = $environment }
        }
    }
    # Generous: a child that waits for a browser would be killed here, and fail the test.
    $results = Invoke-ChildProcessBatch -Item @($items) -Throttle 4 -TimeoutSec 60
}

AfterAll {
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'Connect-TSheets in automation that forgot -NonInteractive' {
    It '<Context>, <Kind> redirect: InteractionRequired at once; catch, finally and exit 3 run; nothing opened or left listening' -TestCases $cases {
        if ($Unix -and $IsWindows) { Set-ItResult -Skipped -Because 'bash, /dev/null and env -i are the Unix forms of these contexts'; return }
        $id = "$Key-$Kind"
        $run = $results[$id]
        $run.TimedOut | Should -BeFalse -Because "the child must not wait for a person (output: $($run.Output) $($run.Errors))"
        $text = $run.Output
        $text | Should -Match '(?m)^ERRORID InteractionRequired,TSheets\.Auth\.Commands\.ConnectTSheetsCommand\s*$' -Because $run.Errors
        $text | Should -Match "(?m)^MESSAGE .*$([regex]::Escape($Why)).*-RefreshToken.*Set-TSheetsToken"
        $text | Should -Match '(?m)^FINALLY\s*$'
        $text | Should -Not -Match 'CONNECTED|AFTER-TRY'
        if ($Key -eq 'job') {
            $text | Should -Match '(?m)^JOBEXIT 3\s*$'
            $text | Should -Match '(?m)^JOBSTATE Completed\s*$'
            $run.ExitCode | Should -Be 0
        }
        else {
            $run.ExitCode | Should -Be 3 -Because 'the exit code is the script''s own, never a silent 0'
        }
        # A generous bound: the real figure is measured by build.ps1 -Task Bench.
        [int]([regex]::Match($text, '(?m)^ELAPSED (\d+)').Groups[1].Value) | Should -BeLessThan 2000
        Get-OpenerRecord $recorders[$id] | Should -BeNullOrEmpty -Because 'no browser or opener may start where no one can answer'
        if ($Kind -eq 'loopback') {
            $text | Should -Match '(?m)^PORTFREE True\s*$' -Because 'no listener may be started'
            Test-PortFree $ports[$id] | Should -BeTrue
        }
    }

    It 'sent nothing to the server from any of them: no authorization page, no /grant' {
        $stats = Get-EmulatorStats $emulator
        $stats.authorize_requests | Should -Be 0
        $stats.grants.total | Should -Be 0
    }
}
