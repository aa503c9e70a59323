# Measuring and reporting helpers of tools/Invoke-Benchmark.ps1: medians, alternating rounds,
# fresh processes, the figures collected so far, and the table and JSON at the end.
Set-StrictMode -Version 3.0

$script:RunWatch = $null
$script:PwshPath = $null
$script:Figures = [System.Collections.Generic.List[object]]::new()

# Starts the run's clock and forgets any figures; $PwshPath is the pwsh that fresh processes run.
function Initialize-BenchRun {
    param([Parameter(Mandatory)] [string] $PwshPath)
    $script:RunWatch = [Diagnostics.Stopwatch]::StartNew()
    $script:PwshPath = $PwshPath
    $script:Figures.Clear()
}

function Get-BenchElapsed { $script:RunWatch.Elapsed }

function Get-BenchFigure { , $script:Figures.ToArray() }

function Write-Step {
    param([Parameter(Mandatory)] [string] $Text)
    Write-Host ("[{0,5:N0} s] {1}" -f $script:RunWatch.Elapsed.TotalSeconds, $Text)
}

# /proc/loadavg, or null where there is none.
function Get-LoadAverage {
    if (Test-Path -LiteralPath /proc/loadavg) { (Get-Content -LiteralPath /proc/loadavg -Raw).Trim() } else { $null }
}

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
    $script:Figures.Add($figure)
    Write-Host ("    {0}: subject {1:N2} {3}, baseline {2:N2} {3}, ratio {4}" -f $Id, $subjectMedian, $baselineMedian, $Unit, $figure.ratio)
}

# A figure that could not be measured here: same fields, no numbers, met false, and why in the note
# (and in extra.notMeasured).
function Add-UnmeasuredFigure {
    param(
        [Parameter(Mandatory)] [string] $Id,
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [string] $Unit,
        [Parameter(Mandatory)] [string] $Subject,
        [Parameter(Mandatory)] [string] $Baseline,
        [Parameter(Mandatory)] [string] $Target,
        [Parameter(Mandatory)] [string] $Reason
    )
    $script:Figures.Add([pscustomobject][ordered]@{
            id = $Id; name = $Name; subject = $Subject; baseline = $Baseline; unit = $Unit
            subjectMedian = $null; baselineMedian = $null; ratio = $null; difference = $null
            target = $Target; met = $false; note = "Not measured: $Reason"
            subjectSamples = @(); baselineSamples = @(); extra = @{ notMeasured = $Reason }
        })
    Write-Host "    ${Id}: not measured ($Reason)"
}

<#
Runs a fresh pwsh to its end; returns its wall time (process start to exit), its exit code and its
output. Secrets go in -Environment, never on the command line ($null removes a variable).
-CloseInput redirects its standard input and closes it at once (as `</dev/null` would); otherwise
it inherits this process's. A non-zero exit code throws unless -AllowFailure.
#>
function Invoke-FreshProcess {
    param(
        [Parameter(Mandatory)] [AllowEmptyString()] [string[]] $ArgumentList,
        [hashtable] $Environment = @{},
        [switch] $CloseInput,
        [switch] $AllowFailure
    )
    $info = [System.Diagnostics.ProcessStartInfo]::new($script:PwshPath)
    foreach ($argument in $ArgumentList) { $info.ArgumentList.Add($argument) }
    foreach ($key in $Environment.Keys) {
        if ($null -eq $Environment[$key]) { [void]$info.Environment.Remove($key) } else { $info.Environment[$key] = [string]$Environment[$key] }
    }
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = [bool]$CloseInput
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $process = [System.Diagnostics.Process]::Start($info)
    try {
        if ($CloseInput) { $process.StandardInput.Close() }
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit(120000)) {
            $process.Kill($true)
            throw 'A child pwsh did not end within 120 s.'
        }
        $process.WaitForExit()   # and its output is read to the end
        $watch.Stop()
        if ($process.ExitCode -ne 0 -and -not $AllowFailure) {
            throw "A child pwsh failed (exit code $($process.ExitCode)): $($stderr.Result.Trim())"
        }
        [pscustomobject]@{ Milliseconds = $watch.Elapsed.TotalMilliseconds; Output = $stdout.Result; Errors = $stderr.Result; ExitCode = $process.ExitCode }
    }
    finally {
        $process.Dispose()
    }
}

# The last non-empty line of a child's output, split on spaces.
function Get-LastFields {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Output)
    $lines = @($Output.Trim() -split "`r?`n" | Where-Object { $_.Trim() })
    if ($lines.Count -eq 0) { throw 'A child pwsh printed nothing.' }
    , @($lines[-1].Trim() -split ' +')
}

function Format-Value {
    param($Value, [string] $Unit)
    if ($null -eq $Value) { return '-' }
    $Value = [double]$Value
    $digits = if ([Math]::Abs($Value) -ge 100) { 'N0' } elseif ($Unit -eq 'calls') { 'N0' } else { 'N2' }
    "$($Value.ToString($digits, [cultureinfo]::InvariantCulture)) $Unit"
}

# The medians table, on the host.
function Show-BenchTable {
    param([Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Figures)
    $table = foreach ($figure in $Figures) {
        $measured = $null -ne $figure.subjectMedian
        [pscustomobject][ordered]@{
            Figure     = "$($figure.id). $($figure.name)"
            Subject    = Format-Value $figure.subjectMedian $figure.unit
            Baseline   = Format-Value $figure.baselineMedian $figure.unit
            Ratio      = if ($null -ne $figure.ratio) { $figure.ratio.ToString('0.000', [cultureinfo]::InvariantCulture) } else { '-' }
            Difference = Format-Value $figure.difference $figure.unit
            Target     = $figure.target
            Met        = if (-not $measured) { 'not measured' } elseif ($figure.met) { 'yes' } else { 'no' }
        }
    }
    Write-Host ''
    Write-Host 'Medians (subject vs baseline, measured side by side in this run):'
    Write-Host ($table | Format-Table -AutoSize -Wrap | Out-String -Width 220).TrimEnd()
}

# Writes the report as JSON (creating the folder).
function Save-BenchReport {
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Report, [Parameter(Mandatory)] [string] $Path)
    $folder = Split-Path -Parent $Path
    if ($folder -and -not (Test-Path -LiteralPath $folder)) { New-Item -ItemType Directory -Path $folder | Out-Null }
    $Report | ConvertTo-Json -Depth 8 | Set-Content -LiteralPath $Path -Encoding utf8
}

Export-ModuleMember -Function *
