# Figure 9: how long Connect-TSheets takes to refuse in a scheduled job (pwsh -File job.ps1
# </dev/null). Dot-sourced by tools/Invoke-Benchmark.ps1; $Bench is its context.

<#
A job script: imports the module, times one command inside try/catch (ErrorAction Stop), and
prints "<milliseconds> <FullyQualifiedErrorId of what it failed with, or none>". The command's
arguments are made before the clock starts (ConvertTo-SecureString's first call loads a module).
#>
function New-AutomationJob {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $Command)
    Set-Content -LiteralPath $Path -Encoding utf8 -Value (@'
$ErrorActionPreference = 'Stop'
Import-Module $env:TSHEETS_BENCH_MODULE
$secret = ConvertTo-SecureString x -AsPlainText -Force
$redirect = "http://127.0.0.1:$($env:TSHEETS_BENCH_PORT)/callback"
$failed = 'none'
$Error.Clear()
$watch = [Diagnostics.Stopwatch]::StartNew()
try {
'@ + "    $Command`n" + @'
    if ($Error.Count -gt 0) { $failed = $Error[0].FullyQualifiedErrorId }
}
catch {
    $failed = $_.FullyQualifiedErrorId
}
$watch.Stop()
'{0} {1}' -f $watch.Elapsed.TotalMilliseconds.ToString([cultureinfo]::InvariantCulture), $failed
'@)
}

function Measure-AutomationFigure {
    param([Parameter(Mandatory)] $Bench, [Parameter(Mandatory)] [int] $Runs)
    Write-Step "9. Automation: Connect-TSheets refusing in pwsh -File job.ps1 </dev/null vs the fastest failing command ($Runs runs each)..."
    $subjectJob = Join-Path $Bench.Scratch 'job.ps1'
    $baselineJob = Join-Path $Bench.Scratch 'job-baseline.ps1'
    New-AutomationJob -Path $subjectJob -Command 'Connect-TSheets -ClientId c -ClientSecret $secret -RedirectUri $redirect -TimeoutSec 300'
    New-AutomationJob -Path $baselineJob -Command 'Get-TSheetsToken -Name nope -ErrorAction SilentlyContinue'
    # No -NonInteractive: the job forgot it, and only its closed standard input tells.
    $run = {
        param([string] $Job)
        $environment = @{ TSHEETS_BENCH_MODULE = $Bench.ModulePath; TSHEETS_BENCH_PORT = Get-FreePort }
        $child = Invoke-FreshProcess -ArgumentList '-NoProfile', '-File', $Job -Environment $environment -CloseInput
        $fields = Get-LastFields $child.Output
        [pscustomobject]@{ Milliseconds = [double]::Parse($fields[0], [cultureinfo]::InvariantCulture); ErrorId = [string]$fields[1]; ProcessMs = $child.Milliseconds }
    }
    $jobs = Invoke-Alternating -Repetitions $Runs -Cases ([ordered]@{
            Baseline = { & $run $baselineJob }
            Subject  = { & $run $subjectJob }
        })
    # A bench that measures the wrong thing is worse than none: each side must fail the right way.
    foreach ($case in @{ Subject = 'InteractionRequired,'; Baseline = 'TokenNotFound,' }.GetEnumerator()) {
        $wrong = @($jobs[$case.Key] | Where-Object { -not $_.ErrorId.StartsWith($case.Value, [StringComparison]::Ordinal) })
        if ($wrong.Count -gt 0) {
            throw "Figure 9's $($case.Key.ToLowerInvariant()) job ended with '$($wrong[0].ErrorId)' instead of $($case.Value.TrimEnd(','))."
        }
    }
    $median = { param($values) [Math]::Round((Measure-Median $values), 1) }
    Add-Figure -Id '9' -Name 'Connect-TSheets refusing in a scheduled job (pwsh -File job.ps1 </dev/null)' -Unit 'ms' `
        -SubjectSamples $jobs.Subject.Milliseconds -BaselineSamples $jobs.Baseline.Milliseconds `
        -Subject 'Connect-TSheets -ClientId c -ClientSecret <x> -RedirectUri http://127.0.0.1:<free port>/callback -TimeoutSec 300, timed in job.ps1' `
        -Baseline 'Get-TSheetsToken -Name nope -ErrorAction SilentlyContinue, timed the same way in the same kind of job' `
        -Target 'subject < 1000 ms' -IsMet { param($f) $f.subjectMedian -lt 1000 } `
        -Note "pwsh -NoProfile -File job.ps1 (no -NonInteractive), standard input redirected and closed at once; the job imports the module and times the one command inside try/catch with a Stopwatch (ms, first call of a module command in the process for both; the SecureString is made before the clock starts). Checked: every subject run failed with InteractionRequired, every baseline run with TokenNotFound. Whole processes (information): $(& $median $jobs.Subject.ProcessMs) ms and $(& $median $jobs.Baseline.ProcessMs) ms." `
        -Extra @{
            subjectErrorId     = $jobs.Subject[0].ErrorId
            baselineErrorId    = $jobs.Baseline[0].ErrorId
            subjectProcessMs   = @($jobs.Subject.ProcessMs | ForEach-Object { [Math]::Round($_, 1) })
            baselineProcessMs  = @($jobs.Baseline.ProcessMs | ForEach-Object { [Math]::Round($_, 1) })
        }
}
