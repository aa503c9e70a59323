# Figure 4: many runspaces refreshing one expiring token at once. Dot-sourced by
# tools/Invoke-Benchmark.ps1; $Bench is its context (ModulePath, Emulator, Client, ...).

# Checks what the runspaces returned, without showing any of it: as many tokens as runspaces;
# returns how many different ones (1 when they all got the same token).
function Test-ParallelTokens {
    param([object[]] $Tokens, [int] $Count)
    if ($Tokens.Count -ne $Count) { throw "$($Tokens.Count) of $Count runspaces returned a token." }
    @($Tokens | Sort-Object -Unique).Count
}

<#
One round of the released variant: $Count runspaces each import the module, say they are ready,
and wait at a shared gate (a ManualResetEventSlim passed with $using:); the time runs from opening
the gate to the last runspace holding its token (timestamps taken in the runspaces), so it leaves
out runspace creation. $Left is how long the stored token has left: 2 minutes (policy refreshes
it) or days (nothing to refresh: the control).
#>
function Measure-ReleasedRound {
    param([Parameter(Mandatory)] $Bench, [Parameter(Mandatory)] [string] $RefreshName, [Parameter(Mandatory)] [int] $Count, [Parameter(Mandatory)] [TimeSpan] $Left)
    Set-BenchToken $Bench -Name $RefreshName -ExpiresOn ([DateTimeOffset]::UtcNow + $Left)
    $modulePath = $Bench.ModulePath
    $ready = [System.Threading.CountdownEvent]::new($Count)
    $gate = [System.Threading.ManualResetEventSlim]::new($false)
    $finished = [System.Collections.Concurrent.ConcurrentBag[long]]::new()
    $job = 1..$Count | ForEach-Object -ThrottleLimit $Count -AsJob -Parallel {
        Import-Module $using:modulePath
        $null = ($using:ready).Signal()
        if (-not ($using:gate).Wait(180000)) { throw 'The gate never opened.' }
        Get-TSheetsToken -Name $using:RefreshName -AsPlainText
        ($using:finished).Add([Diagnostics.Stopwatch]::GetTimestamp())
    }
    try {
        $deadline = [DateTime]::UtcNow.AddSeconds(180)
        while (-not $ready.Wait(250)) {
            if ($job.State -in 'Failed', 'Stopped', 'Completed') { $null = Receive-Job $job; throw "The runspaces ended before the gate opened ($($job.State))." }
            if ([DateTime]::UtcNow -gt $deadline) { throw 'The runspaces were not all ready within 180 s.' }
        }
        $before = Get-GrantCount $Bench
        $opened = [Diagnostics.Stopwatch]::GetTimestamp()
        $gate.Set()
        if (-not (Wait-Job $job -Timeout 180)) { throw 'The released runspaces did not finish within 180 s.' }
        $tokens = @(Receive-Job $job)
        $last = [long]($finished | Measure-Object -Maximum).Maximum
        [pscustomobject]@{
            Milliseconds = ($last - $opened) * 1000.0 / [Diagnostics.Stopwatch]::Frequency
            Grants       = (Get-GrantCount $Bench) - $before
            Distinct     = Test-ParallelTokens $tokens -Count $Count
        }
    }
    finally {
        Remove-Job $job -Force
        $gate.Dispose()
        $ready.Dispose()
    }
}

function Measure-ParallelRefreshFigure {
    param([Parameter(Mandatory)] $Bench, [Parameter(Mandatory)] [int] $Count, [Parameter(Mandatory)] [int] $Repetitions)
    Write-Step "4. $Count runspaces refreshing one expiring token vs one refresh ($Repetitions rounds)..."
    $refreshName = 'bench-refresh'
    $modulePath = $Bench.ModulePath
    $parallel = Invoke-Alternating -Repetitions $Repetitions -Cases ([ordered]@{
            # One refresh alone, in this runspace.
            Single        = {
                Set-BenchToken $Bench -Name $refreshName -ExpiresOn ([DateTimeOffset]::UtcNow.AddMinutes(2))
                $before = Get-GrantCount $Bench
                $ms = Measure-Milliseconds { Get-TSheetsToken -Name $refreshName -ForceRefresh -AsPlainText }
                [pscustomobject]@{ Milliseconds = $ms; Grants = (Get-GrantCount $Bench) - $before; Distinct = 1 }
            }
            # Cold: the wall time includes creating the runspaces and importing the module in each.
            Cold          = {
                Set-BenchToken $Bench -Name $refreshName -ExpiresOn ([DateTimeOffset]::UtcNow.AddMinutes(2))
                $before = Get-GrantCount $Bench
                $watch = [Diagnostics.Stopwatch]::StartNew()
                $tokens = @(1..$Count | ForEach-Object -ThrottleLimit $Count -Parallel {
                        Import-Module $using:modulePath
                        Get-TSheetsToken -Name $using:refreshName -AsPlainText
                    })
                $watch.Stop()
                [pscustomobject]@{ Milliseconds = $watch.Elapsed.TotalMilliseconds; Grants = (Get-GrantCount $Bench) - $before; Distinct = Test-ParallelTokens $tokens -Count $Count }
            }
            Released      = { Measure-ReleasedRound $Bench -RefreshName $refreshName -Count $Count -Left ([TimeSpan]::FromMinutes(2)) }
            # The control: the same release with a valid token, so nothing to refresh. What the
            # released figure spends beyond this is the refresh and the waiting for it.
            ReleasedValid = { Measure-ReleasedRound $Bench -RefreshName $refreshName -Count $Count -Left ([TimeSpan]::FromDays(9)) }
        })
    $singleMs = [double[]]@($parallel.Single.Milliseconds)
    $allParallelGrants = [double[]]@($parallel.Released.Grants) + [double[]]@($parallel.Cold.Grants)
    $releasedMedian = Measure-Median $parallel.Released.Milliseconds
    $controlMedian = Measure-Median $parallel.ReleasedValid.Milliseconds
    Add-Figure -Id '4a' -Name "$Count runspaces refresh one token, released together" -Unit 'ms' `
        -SubjectSamples $parallel.Released.Milliseconds -BaselineSamples $singleMs `
        -Subject "$Count x Get-TSheetsToken -AsPlainText, runspaces ready, released at once" -Baseline 'Get-TSheetsToken -ForceRefresh -AsPlainText, once' `
        -Target 'ratio <= 1.5' -IsMet { param($f) $f.ratio -le 1.5 } `
        -Note "The ratio uses this variant: the runspaces are created and have imported the module before a shared ManualResetEventSlim releases them, so the time is the refresh, not runspace creation. Compare 4d (same release, nothing to refresh): the refresh's own share is about $([Math]::Round($releasedMedian - $controlMedian, 1)) ms." `
        -Extra @{ distinctTokens = @($parallel.Released.Distinct) }
    Add-Figure -Id '4b' -Name "$Count runspaces refresh one token, including runspace start" -Unit 'ms' `
        -SubjectSamples $parallel.Cold.Milliseconds -BaselineSamples $singleMs `
        -Subject "1..$Count | ForEach-Object -Parallel -ThrottleLimit $Count { Import-Module; Get-TSheetsToken -AsPlainText }" -Baseline 'Get-TSheetsToken -ForceRefresh -AsPlainText, once' `
        -Target 'none (information)' -IsMet { param($f) $true } `
        -Note 'From starting ForEach-Object -Parallel to all results: mostly runspace creation and Import-Module.' `
        -Extra @{ distinctTokens = @($parallel.Cold.Distinct) }
    Add-Figure -Id '4c' -Name "/grant calls caused by $Count runspaces" -Unit 'calls' `
        -SubjectSamples $allParallelGrants -BaselineSamples ([double[]]@($parallel.Single.Grants)) `
        -Subject "grants per $Count-runspace round (released rounds, then cold rounds)" -Baseline 'grants per single refresh' `
        -Target 'exactly 1 in every round' -IsMet { param($f) @($f.subjectSamples | Where-Object { $_ -ne 1 }).Count -eq 0 } `
        -Note 'Counted from the emulator''s stats before and after each round.'
    Add-Figure -Id '4d' -Name "$Count runspaces released together, nothing to refresh (control)" -Unit 'ms' `
        -SubjectSamples $parallel.ReleasedValid.Milliseconds -BaselineSamples $singleMs `
        -Subject "as 4a, with a token valid for 9 days" -Baseline 'Get-TSheetsToken -ForceRefresh -AsPlainText, once' `
        -Target 'none (information)' -IsMet { param($f) $true } `
        -Note 'The floor of 4a: waking the runspaces and their first Get-TSheetsToken call, with no refresh.' `
        -Extra @{ grants = @($parallel.ReleasedValid.Grants); distinctTokens = @($parallel.ReleasedValid.Distinct) }
}
