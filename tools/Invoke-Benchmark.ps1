<#
.SYNOPSIS
    Measures TSheets.Auth against baselines, side by side, and reports medians and ratios.
.DESCRIPTION
    Starts the TSheets emulator (tests/TSheets.Emulator), raises its rate limit for the run, and
    measures seven figures. Each figure runs its subject and its baseline in the same run,
    interleaved (the order alternates from round to round), repeated; the report gives the median
    of each, the ratio subject/baseline, the target and whether it was met.

    It never asserts: a missed target is reported, not failed. It prints a table to the host and
    writes the same data, with the raw samples and the machine's description, as JSON.

    No token, refresh token, client secret or authorization code is ever printed: they stay in
    variables, and reach child processes through their environment, not their command line.

    Run after the module is built (build.ps1 -Task Bench does both):
        pwsh -NoProfile -File tools/Invoke-Benchmark.ps1 -ModulePath out/TSheets.Auth -OutputPath out/bench.json
.PARAMETER ModulePath
    The built module folder (out/TSheets.Auth).
.PARAMETER OutputPath
    Where the JSON report is written.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutputPath,

    # How many samples each figure takes; the defaults keep the whole run near two minutes.
    [ValidateRange(1, 100)] [int] $StartupRuns = 10,
    [ValidateRange(100, 1000000)] [int] $TokenCalls = 20000,
    [ValidateRange(1, 100)] [int] $TokenRepetitions = 5,
    [ValidateRange(2, 256)] [int] $ParallelCount = 64,
    [ValidateRange(1, 20)] [int] $ParallelRepetitions = 3,
    [ValidateRange(1, 500)] [int] $ConnectRuns = 30,
    [ValidateRange(10, 10000)] [int] $ApiCalls = 500,
    [ValidateRange(1, 20)] [int] $ApiRepetitions = 3,
    [ValidateRange(1, 50)] [int] $MemoryRuns = 5
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
# No progress bars: Invoke-RestMethod's would slow the baselines and clutter the host.
$ProgressPreference = 'SilentlyContinue'

$runWatch = [Diagnostics.Stopwatch]::StartNew()
$startedAt = [DateTimeOffset]::Now
$repoRoot = Split-Path -Parent $PSScriptRoot
$modulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
$outputFile = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)

Import-Module (Join-Path $repoRoot 'tests/pester/TestHelpers.psm1')
Import-Module $modulePath
$pwshPath = Get-PwshPath

# ---------------------------------------------------------------------------------------------
# Measuring and reporting helpers
# ---------------------------------------------------------------------------------------------

# The median of a set of numbers (the mean of the middle two for an even count).
function Measure-Median {
    param([Parameter(Mandatory)] [AllowEmptyCollection()] [double[]] $Values)
    if ($Values.Count -eq 0) { return [double]::NaN }
    $sorted = [double[]]$Values.Clone()
    [Array]::Sort($sorted)
    $middle = [int][Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2 -eq 1) { return $sorted[$middle] }
    ($sorted[$middle - 1] + $sorted[$middle]) / 2
}

# Milliseconds one script block takes (its output is discarded).
function Measure-Milliseconds {
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $null = & $ScriptBlock
    $watch.Stop()
    $watch.Elapsed.TotalMilliseconds
}

<#
Runs each case of an ordered table of named script blocks, round after round, starting each
round with the next case (baseline first, then subject first, ...), so that neither side always
runs on a machine just warmed or just disturbed by the other. Each block does its own setup,
times only what it measures, and returns one sample: a number of milliseconds, or an object.
Returns a hashtable: case name -> the samples, in order.
#>
function Invoke-Alternating {
    param(
        [Parameter(Mandatory)] [System.Collections.Specialized.OrderedDictionary] $Cases,
        [Parameter(Mandatory)] [int] $Repetitions,
        [int] $WarmUp = 1
    )
    $names = @($Cases.Keys)
    for ($warm = 0; $warm -lt $WarmUp; $warm++) {
        foreach ($caseName in $names) { $null = & $Cases[$caseName] }
    }
    $samples = @{}
    foreach ($caseName in $names) { $samples[$caseName] = [System.Collections.Generic.List[object]]::new() }
    for ($round = 0; $round -lt $Repetitions; $round++) {
        for ($step = 0; $step -lt $names.Count; $step++) {
            $caseName = $names[($round + $step) % $names.Count]
            # Start every sample with a clean heap, so one case's garbage is not collected on the other's time.
            [GC]::Collect()
            [GC]::WaitForPendingFinalizers()
            $result = @(& $Cases[$caseName])
            if ($result.Count -ne 1) { throw "The '$caseName' case returned $($result.Count) values instead of one sample." }
            $samples[$caseName].Add($result[0])
        }
    }
    $arrays = @{}
    foreach ($caseName in $names) { $arrays[$caseName] = $samples[$caseName].ToArray() }
    $arrays
}

$figures = [System.Collections.Generic.List[object]]::new()

<#
Adds one figure to the report: the medians of the subject and baseline samples, their ratio and
difference, and whether the target is met ($IsMet gets the figure and returns a boolean).
#>
function Add-Figure {
    param(
        [Parameter(Mandatory)] [string] $Id,
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [string] $Unit,
        [Parameter(Mandatory)] [double[]] $SubjectSamples,
        [Parameter(Mandatory)] [double[]] $BaselineSamples,
        [Parameter(Mandatory)] [string] $Subject,
        [Parameter(Mandatory)] [string] $Baseline,
        [Parameter(Mandatory)] [string] $Target,
        [Parameter(Mandatory)] [scriptblock] $IsMet,
        [string] $Note = '',
        [hashtable] $Extra = @{}
    )
    $subjectMedian = Measure-Median $SubjectSamples
    $baselineMedian = Measure-Median $BaselineSamples
    $figure = [pscustomobject][ordered]@{
        id              = $Id
        name            = $Name
        subject         = $Subject
        baseline        = $Baseline
        unit            = $Unit
        subjectMedian   = [Math]::Round($subjectMedian, 3)
        baselineMedian  = [Math]::Round($baselineMedian, 3)
        ratio           = if ($baselineMedian -ne 0) { [Math]::Round($subjectMedian / $baselineMedian, 3) } else { $null }
        difference      = [Math]::Round($subjectMedian - $baselineMedian, 3)
        target          = $Target
        met             = $false
        note            = $Note
        subjectSamples  = @($SubjectSamples | ForEach-Object { [Math]::Round($_, 3) })
        baselineSamples = @($BaselineSamples | ForEach-Object { [Math]::Round($_, 3) })
        extra           = $Extra
    }
    $figure.met = [bool](& $IsMet $figure)
    $figures.Add($figure)
    Write-Host ("    {0}: subject {1:N2} {3}, baseline {2:N2} {3}, ratio {4}" -f $Id, $subjectMedian, $baselineMedian, $Unit, $figure.ratio)
}

function Write-Step {
    param([Parameter(Mandatory)] [string] $Text)
    Write-Host ("[{0,5:N0} s] {1}" -f $runWatch.Elapsed.TotalSeconds, $Text)
}

# Runs a fresh pwsh to its end; returns its wall time (process start to exit) and its output.
# Secrets go in -Environment, never on the command line.
function Invoke-FreshProcess {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string[]] $ArgumentList, [hashtable] $Environment = @{})
    $info = [System.Diagnostics.ProcessStartInfo]::new($pwshPath)
    foreach ($argument in $ArgumentList) { $info.ArgumentList.Add($argument) }
    foreach ($key in $Environment.Keys) { $info.Environment[$key] = [string]$Environment[$key] }
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $process = [System.Diagnostics.Process]::Start($info)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit(120000)) {
            $process.Kill($true)
            throw 'A child pwsh did not end within 120 s.'
        }
        $process.WaitForExit()   # and its output is read to the end
        $watch.Stop()
        if ($process.ExitCode -ne 0) {
            throw "A child pwsh failed (exit code $($process.ExitCode)): $($stderr.Result.Trim())"
        }
        [pscustomobject]@{ Milliseconds = $watch.Elapsed.TotalMilliseconds; Output = $stdout.Result }
    }
    finally {
        $process.Dispose()
    }
}

# ---------------------------------------------------------------------------------------------
# Emulator helpers
# ---------------------------------------------------------------------------------------------

# A fresh one-time authorization code for $client, approved through the emulator (no browser).
function Get-AuthorizationCode {
    $request = New-TSheetsAuthorizationUrl -ClientId $client.ClientId -RedirectUri $client.RedirectUri -BaseUri $emulator.BaseUri
    $location = Approve-Authorization $emulator $request.Url
    if (([uri]$location).Query -notmatch '(?:^\?|&)code=([^&]+)') { throw 'The emulator redirected without a code.' }
    [uri]::UnescapeDataString($Matches[1])
}

# Stores a real, refreshable token pair under $Name, expiring at $ExpiresOn.
function Set-BenchToken {
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [DateTimeOffset] $ExpiresOn)
    $minted = New-EmulatorToken $emulator -ClientId $client.ClientId
    Set-TSheetsToken -Name $Name -BaseUri $emulator.BaseUri -ClientId $client.ClientId -ClientSecret $client.ClientSecret `
        -AccessToken ($minted.access_token | ConvertTo-TestSecureString) `
        -RefreshToken ($minted.refresh_token | ConvertTo-TestSecureString) `
        -ExpiresOn $ExpiresOn
}

# Every request to /grant the emulator has seen.
function Get-GrantCount { [int](Get-EmulatorStats $emulator).grants.total }

# ---------------------------------------------------------------------------------------------
# The figures
# ---------------------------------------------------------------------------------------------

$emulator = $null
$http = $null
$scratch = Join-Path ([IO.Path]::GetTempPath()) "tsheets-bench-$PID"
New-Item -ItemType Directory -Path $scratch -Force | Out-Null
try {
    Write-Step "TSheets.Auth $((Get-Module TSheets.Auth).Version) from $modulePath; $([Environment]::ProcessorCount) processors; pwsh $($PSVersionTable.PSVersion)"
    $loadBefore = if (Test-Path -LiteralPath /proc/loadavg) { (Get-Content -LiteralPath /proc/loadavg -Raw).Trim() } else { $null }

    Write-Step 'Starting the emulator...'
    $emulator = Start-TSheetsEmulator
    # The default (300 calls per 5 minutes per token) would throttle the API figure.
    Set-EmulatorConfig $emulator @{ rate_limit_count = 100000 }
    $client = New-EmulatorClient $emulator

    # -- 1. Import-Module in a new process ----------------------------------------------------
    Write-Step "1. Process start: pwsh with Import-Module vs an empty command, and vs importing an empty module ($StartupRuns runs each)..."
    $importCommand = "Import-Module '$($modulePath -replace "'", "''")'"
    # The floor: importing a module with nothing in it, which costs what any first Import-Module does.
    $emptyModule = Join-Path $scratch 'BenchEmpty.psm1'
    Set-Content -LiteralPath $emptyModule -Value '# An empty module: the cost of Import-Module itself.'
    $emptyCommand = "Import-Module '$($emptyModule -replace "'", "''")'"
    $startup = Invoke-Alternating -Repetitions $StartupRuns -Cases ([ordered]@{
            Baseline = { (Invoke-FreshProcess -ArgumentList '-NoProfile', '-NonInteractive', '-Command', '').Milliseconds }
            Subject  = { (Invoke-FreshProcess -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $importCommand).Milliseconds }
            Floor    = { (Invoke-FreshProcess -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $emptyCommand).Milliseconds }
        })
    Add-Figure -Id '1' -Name 'Import-Module in a new pwsh (whole process)' -Unit 'ms' `
        -SubjectSamples $startup.Subject -BaselineSamples $startup.Baseline `
        -Subject 'pwsh -NoProfile -NonInteractive -Command "Import-Module TSheets.Auth"' -Baseline 'pwsh -NoProfile -NonInteractive -Command ""' `
        -Target 'ratio <= 1.05 and difference <= 50 ms' -IsMet { param($f) $f.ratio -le 1.05 -and $f.difference -le 50 } `
        -Note 'Wall time from process start to exit; one warm-up of each first. See 1b for the part any Import-Module costs, and figure 7''s inProcessImportMs for the import timed inside the process.'
    Add-Figure -Id '1b' -Name 'Import-Module in a new pwsh vs importing an empty module (control)' -Unit 'ms' `
        -SubjectSamples $startup.Subject -BaselineSamples $startup.Floor `
        -Subject 'pwsh -NoProfile -NonInteractive -Command "Import-Module TSheets.Auth"' -Baseline 'pwsh -NoProfile -NonInteractive -Command "Import-Module BenchEmpty.psm1" (an empty script module)' `
        -Target 'none (information)' -IsMet { param($f) $true } `
        -Note 'Same subject samples as 1. The difference is what TSheets.Auth adds beyond the first Import-Module of a session (module machinery, first pipeline).'

    # -- 2 and 3. Get-TSheetsToken from the session cache --------------------------------------
    Write-Step 'Compiling the do-nothing baseline cmdlet...'
    # It takes the same parameters as the subject, so that both command lines bind the same way
    # and the ratio is what the module does beyond a cmdlet call.
    $nothingSource = @'
using System.Management.Automation;

namespace TSheetsAuthBenchmark
{
    [Cmdlet(VerbsCommon.Get, "BenchNothing")]
    public sealed class GetBenchNothingCommand : PSCmdlet
    {
        private static readonly object _o = new object();

        [Parameter(Position = 0)]
        public string Name { get; set; }

        [Parameter]
        public SwitchParameter AsPlainText { get; set; }

        protected override void ProcessRecord()
        {
            WriteObject(_o);
        }
    }
}
'@
    $nothingType = Add-Type -TypeDefinition $nothingSource -Language CSharp -PassThru | Select-Object -First 1
    Import-Module -Assembly $nothingType.Assembly

    $tokenName = 'bench'
    Set-BenchToken -Name $tokenName -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(9))

    Write-Step "2. Get-TSheetsToken vs a do-nothing cmdlet ($TokenCalls calls a loop, $TokenRepetitions loops each)..."
    $cached = Invoke-Alternating -Repetitions $TokenRepetitions -Cases ([ordered]@{
            Baseline = { Measure-Milliseconds { for ($i = 0; $i -lt $TokenCalls; $i++) { $null = Get-BenchNothing -Name bench } } }
            Subject  = { Measure-Milliseconds { for ($i = 0; $i -lt $TokenCalls; $i++) { $null = Get-TSheetsToken -Name bench } } }
        })
    $perCall = { param($ms) @($ms | ForEach-Object { $_ * 1000 / $TokenCalls }) }
    Add-Figure -Id '2' -Name 'Get-TSheetsToken (cached, valid), per call' -Unit 'us' `
        -SubjectSamples (& $perCall $cached.Subject) -BaselineSamples (& $perCall $cached.Baseline) `
        -Subject 'Get-TSheetsToken -Name bench' -Baseline 'Get-BenchNothing -Name bench (Add-Type cmdlet, WriteObject only)' `
        -Target 'ratio <= 1.3' -IsMet { param($f) $f.ratio -le 1.3 } `
        -Note "Loop of $TokenCalls calls (for/`$null =) per sample, one warm-up loop each; per-call time = loop time / $TokenCalls."

    Write-Step "3. Get-TSheetsToken -AsPlainText vs a do-nothing cmdlet..."
    $plainCached = Invoke-Alternating -Repetitions $TokenRepetitions -Cases ([ordered]@{
            Baseline = { Measure-Milliseconds { for ($i = 0; $i -lt $TokenCalls; $i++) { $null = Get-BenchNothing -Name bench -AsPlainText } } }
            Subject  = { Measure-Milliseconds { for ($i = 0; $i -lt $TokenCalls; $i++) { $null = Get-TSheetsToken -Name bench -AsPlainText } } }
        })
    Add-Figure -Id '3' -Name 'Get-TSheetsToken -AsPlainText (cached), per call' -Unit 'us' `
        -SubjectSamples (& $perCall $plainCached.Subject) -BaselineSamples (& $perCall $plainCached.Baseline) `
        -Subject 'Get-TSheetsToken -Name bench -AsPlainText' -Baseline 'Get-BenchNothing -Name bench -AsPlainText' `
        -Target 'ratio <= 1.5' -IsMet { param($f) $f.ratio -le 1.5 } `
        -Note "Loop of $TokenCalls calls per sample, one warm-up loop each."

    # -- 4. Many runspaces refreshing one expiring token at once -------------------------------
    Write-Step "4. $ParallelCount runspaces refreshing one expiring token vs one refresh ($ParallelRepetitions rounds)..."
    $refreshName = 'bench-refresh'

    # Checks what the runspaces returned, without showing any of it: as many tokens as runspaces;
    # returns how many different ones (1 when they all got the same token).
    function Test-ParallelTokens {
        param([object[]] $Tokens)
        if ($Tokens.Count -ne $ParallelCount) { throw "$($Tokens.Count) of $ParallelCount runspaces returned a token." }
        @($Tokens | Sort-Object -Unique).Count
    }

    <#
    One round of the released variant: $ParallelCount runspaces each import the module, say they
    are ready, and wait at a shared gate (a ManualResetEventSlim passed with $using:); the time runs
    from opening the gate to the last runspace holding its token (timestamps taken in the
    runspaces), so it leaves out runspace creation. $Left is how long the stored token has left:
    2 minutes (policy refreshes it) or days (nothing to refresh: the control).
    #>
    function Measure-ReleasedRound {
        param([Parameter(Mandatory)] [TimeSpan] $Left)
        Set-BenchToken -Name $refreshName -ExpiresOn ([DateTimeOffset]::UtcNow + $Left)
        $ready = [System.Threading.CountdownEvent]::new($ParallelCount)
        $gate = [System.Threading.ManualResetEventSlim]::new($false)
        $finished = [System.Collections.Concurrent.ConcurrentBag[long]]::new()
        $job = 1..$ParallelCount | ForEach-Object -ThrottleLimit $ParallelCount -AsJob -Parallel {
            Import-Module $using:modulePath
            $null = ($using:ready).Signal()
            if (-not ($using:gate).Wait(180000)) { throw 'The gate never opened.' }
            Get-TSheetsToken -Name $using:refreshName -AsPlainText
            ($using:finished).Add([Diagnostics.Stopwatch]::GetTimestamp())
        }
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(180)
            while (-not $ready.Wait(250)) {
                if ($job.State -in 'Failed', 'Stopped', 'Completed') { $null = Receive-Job $job; throw "The runspaces ended before the gate opened ($($job.State))." }
                if ([DateTime]::UtcNow -gt $deadline) { throw 'The runspaces were not all ready within 180 s.' }
            }
            $before = Get-GrantCount
            $opened = [Diagnostics.Stopwatch]::GetTimestamp()
            $gate.Set()
            if (-not (Wait-Job $job -Timeout 180)) { throw 'The released runspaces did not finish within 180 s.' }
            $tokens = @(Receive-Job $job)
            $last = [long]($finished | Measure-Object -Maximum).Maximum
            [pscustomobject]@{
                Milliseconds = ($last - $opened) * 1000.0 / [Diagnostics.Stopwatch]::Frequency
                Grants       = (Get-GrantCount) - $before
                Distinct     = Test-ParallelTokens $tokens
            }
        }
        finally {
            Remove-Job $job -Force
            $gate.Dispose()
            $ready.Dispose()
        }
    }

    $parallel = Invoke-Alternating -Repetitions $ParallelRepetitions -Cases ([ordered]@{
            # One refresh alone, in this runspace.
            Single        = {
                Set-BenchToken -Name $refreshName -ExpiresOn ([DateTimeOffset]::UtcNow.AddMinutes(2))
                $before = Get-GrantCount
                $ms = Measure-Milliseconds { Get-TSheetsToken -Name $refreshName -ForceRefresh -AsPlainText }
                [pscustomobject]@{ Milliseconds = $ms; Grants = (Get-GrantCount) - $before; Distinct = 1 }
            }
            # Cold: the wall time includes creating the runspaces and importing the module in each.
            Cold          = {
                Set-BenchToken -Name $refreshName -ExpiresOn ([DateTimeOffset]::UtcNow.AddMinutes(2))
                $before = Get-GrantCount
                $watch = [Diagnostics.Stopwatch]::StartNew()
                $tokens = @(1..$ParallelCount | ForEach-Object -ThrottleLimit $ParallelCount -Parallel {
                        Import-Module $using:modulePath
                        Get-TSheetsToken -Name $using:refreshName -AsPlainText
                    })
                $watch.Stop()
                [pscustomobject]@{ Milliseconds = $watch.Elapsed.TotalMilliseconds; Grants = (Get-GrantCount) - $before; Distinct = Test-ParallelTokens $tokens }
            }
            Released      = { Measure-ReleasedRound -Left ([TimeSpan]::FromMinutes(2)) }
            # The control: the same release with a valid token, so nothing to refresh. What the
            # released figure spends beyond this is the refresh and the waiting for it.
            ReleasedValid = { Measure-ReleasedRound -Left ([TimeSpan]::FromDays(9)) }
        })
    $singleMs = [double[]]@($parallel.Single.Milliseconds)
    $allParallelGrants = [double[]]@($parallel.Released.Grants) + [double[]]@($parallel.Cold.Grants)
    $releasedMedian = Measure-Median $parallel.Released.Milliseconds
    $controlMedian = Measure-Median $parallel.ReleasedValid.Milliseconds
    Add-Figure -Id '4a' -Name "$ParallelCount runspaces refresh one token, released together" -Unit 'ms' `
        -SubjectSamples $parallel.Released.Milliseconds -BaselineSamples $singleMs `
        -Subject "$ParallelCount x Get-TSheetsToken -AsPlainText, runspaces ready, released at once" -Baseline 'Get-TSheetsToken -ForceRefresh -AsPlainText, once' `
        -Target 'ratio <= 1.5' -IsMet { param($f) $f.ratio -le 1.5 } `
        -Note "The ratio uses this variant: the runspaces are created and have imported the module before a shared ManualResetEventSlim releases them, so the time is the refresh, not runspace creation. Compare 4d (same release, nothing to refresh): the refresh's own share is about $([Math]::Round($releasedMedian - $controlMedian, 1)) ms." `
        -Extra @{ distinctTokens = @($parallel.Released.Distinct) }
    Add-Figure -Id '4b' -Name "$ParallelCount runspaces refresh one token, including runspace start" -Unit 'ms' `
        -SubjectSamples $parallel.Cold.Milliseconds -BaselineSamples $singleMs `
        -Subject "1..$ParallelCount | ForEach-Object -Parallel -ThrottleLimit $ParallelCount { Import-Module; Get-TSheetsToken -AsPlainText }" -Baseline 'Get-TSheetsToken -ForceRefresh -AsPlainText, once' `
        -Target 'none (information)' -IsMet { param($f) $true } `
        -Note 'From starting ForEach-Object -Parallel to all results: mostly runspace creation and Import-Module.' `
        -Extra @{ distinctTokens = @($parallel.Cold.Distinct) }
    Add-Figure -Id '4c' -Name "/grant calls caused by $ParallelCount runspaces" -Unit 'calls' `
        -SubjectSamples $allParallelGrants -BaselineSamples ([double[]]@($parallel.Single.Grants)) `
        -Subject "grants per $ParallelCount-runspace round (released rounds, then cold rounds)" -Baseline 'grants per single refresh' `
        -Target 'exactly 1 in every round' -IsMet { param($f) @($f.subjectSamples | Where-Object { $_ -ne 1 }).Count -eq 0 } `
        -Note 'Counted from the emulator''s stats before and after each round.'
    Add-Figure -Id '4d' -Name "$ParallelCount runspaces released together, nothing to refresh (control)" -Unit 'ms' `
        -SubjectSamples $parallel.ReleasedValid.Milliseconds -BaselineSamples $singleMs `
        -Subject "as 4a, with a token valid for 9 days" -Baseline 'Get-TSheetsToken -ForceRefresh -AsPlainText, once' `
        -Target 'none (information)' -IsMet { param($f) $true } `
        -Note 'The floor of 4a: waking the runspaces and their first Get-TSheetsToken call, with no refresh.' `
        -Extra @{ grants = @($parallel.ReleasedValid.Grants); distinctTokens = @($parallel.ReleasedValid.Distinct) }

    # -- 5. Connect-TSheets with an authorization code ----------------------------------------
    Write-Step "5. Connect-TSheets -AuthorizationCode vs a bare HttpClient POST to /grant ($ConnectRuns runs each)..."
    $http = [System.Net.Http.HttpClient]::new()
    $grantUri = [uri]"$($emulator.BaseUri)/grant"
    $connect = Invoke-Alternating -Repetitions $ConnectRuns -WarmUp 2 -Cases ([ordered]@{
            Baseline = {
                $code = Get-AuthorizationCode
                $form = [System.Collections.Generic.Dictionary[string, string]]::new()
                $form['grant_type'] = 'authorization_code'
                $form['client_id'] = $client.ClientId
                $form['client_secret'] = $client.PlainSecret
                $form['code'] = $code
                $form['redirect_uri'] = [string]$client.RedirectUri
                $watch = [Diagnostics.Stopwatch]::StartNew()
                $response = $http.PostAsync($grantUri, [System.Net.Http.FormUrlEncodedContent]::new($form)).GetAwaiter().GetResult()
                $null = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
                $watch.Stop()
                $status = [int]$response.StatusCode
                $response.Dispose()
                if ($status -ne 200) { throw "The baseline POST to /grant answered $status." }
                $watch.Elapsed.TotalMilliseconds
            }
            Subject  = {
                $code = Get-AuthorizationCode
                Measure-Milliseconds {
                    Connect-TSheets -AuthorizationCode $code -RedirectUri $client.RedirectUri -ClientId $client.ClientId `
                        -ClientSecret $client.ClientSecret -BaseUri $emulator.BaseUri -Name bench-connect -InformationAction Ignore
                }
            }
        })
    Add-Figure -Id '5' -Name 'Connect-TSheets -AuthorizationCode (warm, in process)' -Unit 'ms' `
        -SubjectSamples $connect.Subject -BaselineSamples $connect.Baseline `
        -Subject 'Connect-TSheets -AuthorizationCode ... -BaseUri <emulator> -Name bench-connect' -Baseline 'HttpClient.PostAsync(<base>/grant, same form), one client, body read' `
        -Target 'ratio <= 1.5' -IsMet { param($f) $f.ratio -le 1.5 } `
        -Note 'A fresh code for each call, obtained outside the timing; two warm-up calls of each first.'

    # -- 6. Invoke-TSheetsRestMethod ---------------------------------------------------------
    Write-Step "6. $ApiCalls x Invoke-TSheetsRestMethod vs Invoke-RestMethod, without and with a web session ($ApiRepetitions rounds)..."
    $plain = Get-TSheetsToken -Name $tokenName -AsPlainText
    $apiUri = "$($emulator.BaseUri)/current_user"
    $session = [Microsoft.PowerShell.Commands.WebRequestSession]::new()
    $rateLimitedBefore = @((Get-EmulatorStats $emulator).api_requests | Where-Object { $_.status -eq 429 }).Count
    # One untimed round of every loop first: the first thousand web cmdlet calls of a process
    # (and of the emulator) run measurably slower than the rest.
    $api = Invoke-Alternating -Repetitions $ApiRepetitions -WarmUp 1 -Cases ([ordered]@{
            Plain   = { Measure-Milliseconds { for ($i = 0; $i -lt $ApiCalls; $i++) { $null = Invoke-RestMethod -Uri $apiUri -Headers @{ Authorization = "Bearer $plain" } } } }
            Subject = { Measure-Milliseconds { for ($i = 0; $i -lt $ApiCalls; $i++) { $null = Invoke-TSheetsRestMethod current_user -Name bench } } }
            Session = { Measure-Milliseconds { for ($i = 0; $i -lt $ApiCalls; $i++) { $null = Invoke-RestMethod -Uri $apiUri -Headers @{ Authorization = "Bearer $plain" } -WebSession $session } } }
        })
    # A 429 would make Invoke-RestMethod fail but Invoke-TSheetsRestMethod wait and retry: count them.
    $rateLimited = @((Get-EmulatorStats $emulator).api_requests | Where-Object { $_.status -eq 429 }).Count - $rateLimitedBefore
    $plain = $null
    Add-Figure -Id '6a' -Name "$ApiCalls x current_user vs Invoke-RestMethod" -Unit 'ms' `
        -SubjectSamples $api.Subject -BaselineSamples $api.Plain `
        -Subject "$ApiCalls x Invoke-TSheetsRestMethod current_user -Name bench" -Baseline "$ApiCalls x Invoke-RestMethod -Uri <base>/current_user -Headers @{ Authorization = 'Bearer ...' }" `
        -Target 'ratio <= 0.5 (2x faster)' -IsMet { param($f) $f.ratio -le 0.5 } `
        -Note 'Time for the whole loop; one untimed round of each loop first.' `
        -Extra @{ rateLimitedAnswers = $rateLimited; perCallMs = [Math]::Round((Measure-Median $api.Subject) / $ApiCalls, 3) }
    Add-Figure -Id '6b' -Name "$ApiCalls x current_user vs Invoke-RestMethod -WebSession" -Unit 'ms' `
        -SubjectSamples $api.Subject -BaselineSamples $api.Session `
        -Subject "$ApiCalls x Invoke-TSheetsRestMethod current_user -Name bench" -Baseline "$ApiCalls x Invoke-RestMethod ... -WebSession `$session (created once)" `
        -Target 'ratio <= 0.83 (1.2x faster)' -IsMet { param($f) $f.ratio -le 0.83 } `
        -Note 'Same subject samples as 6a.'

    # -- 7. Memory of a fresh process ---------------------------------------------------------
    Write-Step "7. Working set of a fresh pwsh after Import-Module and Connect-TSheets vs a bare one ($MemoryRuns runs each)..."
    # Both end the same way: collect, then print the working set and the managed heap.
    # The subject also reports how long its Import-Module took in process ($importMs; empty in the baseline).
    $measureTail = '[GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect(); "$([Environment]::WorkingSet) $([GC]::GetTotalMemory($true)) $importMs"'
    $connectScript = @'
$ErrorActionPreference = 'Stop'
$importWatch = [Diagnostics.Stopwatch]::StartNew()
Import-Module $env:TSHEETS_BENCH_MODULE
$importMs = $importWatch.Elapsed.TotalMilliseconds
Connect-TSheets -AuthorizationCode $env:TSHEETS_BENCH_CODE -RedirectUri $env:TSHEETS_BENCH_REDIRECT -ClientId $env:TSHEETS_BENCH_CLIENT `
    -ClientSecret ([System.Net.NetworkCredential]::new('', $env:TSHEETS_BENCH_SECRET).SecurePassword) `
    -BaseUri $env:TSHEETS_BENCH_BASE -Name bench-memory -InformationAction Ignore

'@ + $measureTail
    # Parses "<working set> <heap> [<import ms>]" from a child's output (sizes in MB).
    function ConvertFrom-MemoryLine {
        param([string] $Output)
        $fields = @(($Output.Trim() -split "`n")[-1].Trim() -split ' ')
        [pscustomobject]@{
            WorkingSetMB = [double]$fields[0] / 1MB
            HeapMB       = [double]$fields[1] / 1MB
            ImportMs     = if ($fields.Count -gt 2) { [double]$fields[2] } else { [double]::NaN }
        }
    }
    $memory = Invoke-Alternating -Repetitions $MemoryRuns -WarmUp 0 -Cases ([ordered]@{
            Baseline = { ConvertFrom-MemoryLine (Invoke-FreshProcess -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $measureTail).Output }
            Subject  = {
                $environment = @{
                    TSHEETS_BENCH_MODULE   = $modulePath
                    TSHEETS_BENCH_CODE     = Get-AuthorizationCode
                    TSHEETS_BENCH_REDIRECT = [string]$client.RedirectUri
                    TSHEETS_BENCH_CLIENT   = $client.ClientId
                    TSHEETS_BENCH_SECRET   = $client.PlainSecret
                    TSHEETS_BENCH_BASE     = [string]$emulator.BaseUri
                }
                ConvertFrom-MemoryLine (Invoke-FreshProcess -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $connectScript -Environment $environment).Output
            }
        })
    Add-Figure -Id '7' -Name 'Working set of a fresh pwsh' -Unit 'MB' `
        -SubjectSamples $memory.Subject.WorkingSetMB -BaselineSamples $memory.Baseline.WorkingSetMB `
        -Subject 'Import-Module; Connect-TSheets -AuthorizationCode; GC' -Baseline 'nothing; GC' `
        -Target 'difference <= 5 MB' -IsMet { param($f) $f.difference -le 5 } `
        -Note '[Environment]::WorkingSet after [GC]::Collect(); the code is passed to the child in its environment. A fresh pwsh''s working set is bimodal (about 10 MB apart) whatever it loads, so single samples mislead: read the medians.' `
        -Extra @{
            subjectHeapMB  = @($memory.Subject.HeapMB | ForEach-Object { [Math]::Round($_, 2) })
            baselineHeapMB = @($memory.Baseline.HeapMB | ForEach-Object { [Math]::Round($_, 2) })
            heapDifferenceMB = [Math]::Round((Measure-Median $memory.Subject.HeapMB) - (Measure-Median $memory.Baseline.HeapMB), 2)
            # The lowest of each side, which the bimodal jumps do not reach.
            minimumDifferenceMB = [Math]::Round(($memory.Subject.WorkingSetMB | Measure-Object -Minimum).Minimum - ($memory.Baseline.WorkingSetMB | Measure-Object -Minimum).Minimum, 2)
            # Import-Module timed inside the subject process: the import without process start and its noise.
            inProcessImportMs = [Math]::Round((Measure-Median $memory.Subject.ImportMs), 1)
        }
}
finally {
    if ($http) { $http.Dispose() }
    if ($emulator) { Stop-TSheetsEmulator $emulator }
    Remove-Item -LiteralPath $scratch -Recurse -Force -ErrorAction SilentlyContinue
}

# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------

$runWatch.Stop()
$loadAfter = if (Test-Path -LiteralPath /proc/loadavg) { (Get-Content -LiteralPath /proc/loadavg -Raw).Trim() } else { $null }

function Format-Value {
    param([double] $Value, [string] $Unit)
    $digits = if ([Math]::Abs($Value) -ge 100) { 'N0' } elseif ($Unit -eq 'calls') { 'N0' } else { 'N2' }
    "$($Value.ToString($digits, [cultureinfo]::InvariantCulture)) $Unit"
}

$table = foreach ($figure in $figures) {
    [pscustomobject][ordered]@{
        Figure     = "$($figure.id). $($figure.name)"
        Subject    = Format-Value $figure.subjectMedian $figure.unit
        Baseline   = Format-Value $figure.baselineMedian $figure.unit
        Ratio      = if ($null -ne $figure.ratio) { $figure.ratio.ToString('0.000', [cultureinfo]::InvariantCulture) } else { '-' }
        Difference = Format-Value $figure.difference $figure.unit
        Target     = $figure.target
        Met        = if ($figure.met) { 'yes' } else { 'no' }
    }
}
Write-Host ''
Write-Host 'Medians (subject vs baseline, measured side by side in this run):'
Write-Host ($table | Format-Table -AutoSize -Wrap | Out-String -Width 220).TrimEnd()
Write-Host ''
Write-Host ("Total running time: {0:N0} s. Report: {1}" -f $runWatch.Elapsed.TotalSeconds, $outputFile)

$report = [ordered]@{
    module         = [ordered]@{ name = 'TSheets.Auth'; version = "$((Get-Module TSheets.Auth).Version)"; path = $modulePath }
    machine        = [ordered]@{
        processorCount = [Environment]::ProcessorCount
        osDescription  = [System.Runtime.InteropServices.RuntimeInformation]::OSDescription
        framework      = [System.Runtime.InteropServices.RuntimeInformation]::FrameworkDescription
        pwshVersion    = "$($PSVersionTable.PSVersion)"
        loadAverageAtStart = $loadBefore
        loadAverageAtEnd   = $loadAfter
    }
    date           = $startedAt.ToString('o')
    durationSeconds = [Math]::Round($runWatch.Elapsed.TotalSeconds, 1)
    method         = 'Subject and baseline interleaved in the same run (the order alternates every round), repeated; medians; ratio = subject / baseline. Nothing is asserted.'
    figures        = $figures
}
$outputFolder = Split-Path -Parent $outputFile
if ($outputFolder -and -not (Test-Path -LiteralPath $outputFolder)) { New-Item -ItemType Directory -Path $outputFolder | Out-Null }
$report | ConvertTo-Json -Depth 8 | Set-Content -LiteralPath $outputFile -Encoding utf8
