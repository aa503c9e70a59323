<#
.SYNOPSIS
    Measures TSheets.Auth against baselines, side by side, and reports medians and ratios.
.DESCRIPTION
    Starts the TSheets emulator (tests/TSheets.Emulator), raises its rate limit for the run, and
    measures twelve figures. Each figure runs its subject and its baseline in the same run,
    interleaved (the order alternates from round to round), repeated; the report gives the median
    of each, the ratio subject/baseline, the target and whether it was met.

    It never asserts: a missed target is reported, not failed. It prints a table to the host and
    writes the same data, with the raw samples and the machine's description, as JSON.

    No token, refresh token, client secret or authorization code is ever printed: they stay in
    variables, and reach child processes through their environment, not their command line.

    The helpers are in tools/bench: BenchTools.psm1 (measuring, reporting), BenchEmulator.ps1, and
    one Figures.*.ps1 per group of figures. This script decides their parameters and order.

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

    # How many samples each figure takes; on two cores the defaults keep the run (build not
    # counted) near two minutes when the machine is idle, under three when it is busy.
    [ValidateRange(1, 100)] [int] $StartupRuns = 10,
    [ValidateRange(100, 1000000)] [int] $TokenCalls = 20000,
    [ValidateRange(1, 100)] [int] $TokenRepetitions = 5,
    [ValidateRange(2, 256)] [int] $ParallelCount = 64,
    [ValidateRange(1, 20)] [int] $ParallelRepetitions = 3,
    [ValidateRange(1, 500)] [int] $ConnectRuns = 30,
    [ValidateRange(10, 10000)] [int] $ApiCalls = 500,
    [ValidateRange(1, 20)] [int] $ApiRepetitions = 3,
    [ValidateRange(1, 50)] [int] $MemoryRuns = 5,
    # Figure 8: new processes per case (two cases).
    [ValidateRange(1, 50)] [int] $VaultRuns = 5,
    # Figure 9: new processes per case (two cases).
    [ValidateRange(1, 50)] [int] $AutomationRuns = 5,
    # Figure 10: calls a loop, and loops per case.
    [ValidateRange(10, 100000)] [int] $PacedCalls = 1000,
    [ValidateRange(1, 20)] [int] $PacedRepetitions = 3,
    # Figure 11: processes sharing one token, calls each, rounds.
    [ValidateRange(2, 16)] [int] $PacingProcesses = 4,
    [ValidateRange(2, 100)] [int] $PacingCalls = 12,
    [ValidateRange(1, 10)] [int] $PacingRounds = 3,
    # Figure 12: calls a loop, and loops per case.
    [ValidateRange(10, 10000)] [int] $ProxyCalls = 300,
    [ValidateRange(1, 20)] [int] $ProxyRepetitions = 3
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
# No progress bars: Invoke-RestMethod's would slow the baselines and clutter the host.
$ProgressPreference = 'SilentlyContinue'

$startedAt = [DateTimeOffset]::Now
$repoRoot = Split-Path -Parent $PSScriptRoot
$modulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
$outputFile = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)

Import-Module (Join-Path $repoRoot 'tests/pester/TestHelpers.psm1')
Import-Module (Join-Path $PSScriptRoot 'bench/BenchTools.psm1')
Initialize-BenchRun -PwshPath (Get-PwshPath)
Import-Module $modulePath
foreach ($file in 'BenchEmulator', 'Figures.Local', 'Figures.Refresh', 'Figures.SignIn', 'Figures.Api', 'Figures.Vault', 'Figures.Automation', 'Figures.Network') {
    . (Join-Path $PSScriptRoot "bench/$file.ps1")
}

$bench = [pscustomobject]@{
    RepoRoot   = $repoRoot
    ModulePath = $modulePath
    Scratch    = Join-Path ([IO.Path]::GetTempPath()) "tsheets-bench-$PID"
    Emulator   = $null
    Client     = $null
}
New-Item -ItemType Directory -Path $bench.Scratch -Force | Out-Null
try {
    Write-Step "TSheets.Auth $((Get-Module TSheets.Auth).Version) from $modulePath; $([Environment]::ProcessorCount) processors; pwsh $($PSVersionTable.PSVersion)"
    $loadBefore = Get-LoadAverage

    Write-Step 'Starting the emulator...'
    $bench.Emulator = Start-TSheetsEmulator
    # The default (300 calls per 5 minutes per token) would throttle the API figures.
    Set-EmulatorConfig $bench.Emulator @{ rate_limit_count = 100000 }
    $bench.Client = New-EmulatorClient $bench.Emulator

    Measure-StartupFigure $bench -Runs $StartupRuns
    Set-BenchToken $bench -Name bench -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(9))
    Measure-CachedTokenFigure -Calls $TokenCalls -Repetitions $TokenRepetitions
    Measure-ParallelRefreshFigure $bench -Count $ParallelCount -Repetitions $ParallelRepetitions
    Measure-ConnectFigure $bench -Runs $ConnectRuns
    Measure-ApiFigure $bench -Calls $ApiCalls -Repetitions $ApiRepetitions
    Measure-MemoryFigure $bench -Runs $MemoryRuns
    Measure-VaultFigure $bench -Runs $VaultRuns
    Measure-AutomationFigure $bench -Runs $AutomationRuns
    Measure-PacedApiFigure $bench -Calls $PacedCalls -Repetitions $PacedRepetitions
    Measure-CrossProcessPacingFigure $bench -Processes $PacingProcesses -Calls $PacingCalls -Rounds $PacingRounds
    Measure-ProxyFigure $bench -Calls $ProxyCalls -Repetitions $ProxyRepetitions
}
finally {
    if ($bench.Emulator) { Stop-TSheetsEmulator $bench.Emulator }
    Remove-Item -LiteralPath $bench.Scratch -Recurse -Force -ErrorAction SilentlyContinue
}

# -- The report ------------------------------------------------------------------------------
$elapsed = Get-BenchElapsed
$figures = Get-BenchFigure
Show-BenchTable $figures
Write-Host ''
Write-Host ("Total running time: {0:N0} s. Report: {1}" -f $elapsed.TotalSeconds, $outputFile)

Save-BenchReport -Path $outputFile -Report ([ordered]@{
        module          = [ordered]@{ name = 'TSheets.Auth'; version = "$((Get-Module TSheets.Auth).Version)"; path = $modulePath }
        machine         = [ordered]@{
            processorCount     = [Environment]::ProcessorCount
            osDescription      = [System.Runtime.InteropServices.RuntimeInformation]::OSDescription
            framework          = [System.Runtime.InteropServices.RuntimeInformation]::FrameworkDescription
            pwshVersion        = "$($PSVersionTable.PSVersion)"
            loadAverageAtStart = $loadBefore
            loadAverageAtEnd   = Get-LoadAverage
        }
        date            = $startedAt.ToString('o')
        durationSeconds = [Math]::Round($elapsed.TotalSeconds, 1)
        method          = 'Subject and baseline interleaved in the same run (the order alternates every round), repeated; medians; ratio = subject / baseline. Nothing is asserted.'
        figures         = $figures
    })
