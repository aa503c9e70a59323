# Figures 1 to 3: a new process's Import-Module, and Get-TSheetsToken from the session cache.
# Dot-sourced by tools/Invoke-Benchmark.ps1; $Bench is its context (ModulePath, Scratch, ...).

# -- 1. Import-Module in a new process --------------------------------------------------------
function Measure-StartupFigure {
    param([Parameter(Mandatory)] $Bench, [Parameter(Mandatory)] [int] $Runs)
    Write-Step "1. Process start: pwsh with Import-Module vs an empty command, and vs importing an empty module ($Runs runs each)..."
    $importCommand = "Import-Module '$($Bench.ModulePath -replace "'", "''")'"
    # The floor: importing a module with nothing in it, which costs what any first Import-Module does.
    $emptyModule = Join-Path $Bench.Scratch 'BenchEmpty.psm1'
    Set-Content -LiteralPath $emptyModule -Value '# An empty module: the cost of Import-Module itself.'
    $emptyCommand = "Import-Module '$($emptyModule -replace "'", "''")'"
    $startup = Invoke-Alternating -Repetitions $Runs -Cases ([ordered]@{
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
}

# The do-nothing baseline cmdlet of figures 2 and 3. It takes the same parameters as the subject,
# so that both command lines bind the same way and the ratio is what the module does beyond a
# cmdlet call. Imported globally, once.
function Import-BenchNothingCmdlet {
    if (Get-Command Get-BenchNothing -ErrorAction Ignore) { return }
    Write-Step 'Compiling the do-nothing baseline cmdlet...'
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
    Import-Module -Assembly $nothingType.Assembly -Global
}

# -- 2 and 3. Get-TSheetsToken from the session cache ------------------------------------------
# The connection named bench must hold a valid token already (the name is written out in the
# loops, as a variable would add its lookup to both sides).
function Measure-CachedTokenFigure {
    param([Parameter(Mandatory)] [int] $Calls, [Parameter(Mandatory)] [int] $Repetitions)
    Import-BenchNothingCmdlet

    Write-Step "2. Get-TSheetsToken vs a do-nothing cmdlet ($Calls calls a loop, $Repetitions loops each)..."
    $cached = Invoke-Alternating -Repetitions $Repetitions -Cases ([ordered]@{
            Baseline = { Measure-Milliseconds { for ($i = 0; $i -lt $Calls; $i++) { $null = Get-BenchNothing -Name bench } } }
            Subject  = { Measure-Milliseconds { for ($i = 0; $i -lt $Calls; $i++) { $null = Get-TSheetsToken -Name bench } } }
        })
    $perCall = { param($ms) @($ms | ForEach-Object { $_ * 1000 / $Calls }) }
    Add-Figure -Id '2' -Name 'Get-TSheetsToken (cached, valid), per call' -Unit 'us' `
        -SubjectSamples (& $perCall $cached.Subject) -BaselineSamples (& $perCall $cached.Baseline) `
        -Subject 'Get-TSheetsToken -Name bench' -Baseline 'Get-BenchNothing -Name bench (Add-Type cmdlet, WriteObject only)' `
        -Target 'ratio <= 1.3' -IsMet { param($f) $f.ratio -le 1.3 } `
        -Note "Loop of $Calls calls (for/`$null =) per sample, one warm-up loop each; per-call time = loop time / $Calls."

    Write-Step "3. Get-TSheetsToken -AsPlainText vs a do-nothing cmdlet..."
    $plainCached = Invoke-Alternating -Repetitions $Repetitions -Cases ([ordered]@{
            Baseline = { Measure-Milliseconds { for ($i = 0; $i -lt $Calls; $i++) { $null = Get-BenchNothing -Name bench -AsPlainText } } }
            Subject  = { Measure-Milliseconds { for ($i = 0; $i -lt $Calls; $i++) { $null = Get-TSheetsToken -Name bench -AsPlainText } } }
        })
    Add-Figure -Id '3' -Name 'Get-TSheetsToken -AsPlainText (cached), per call' -Unit 'us' `
        -SubjectSamples (& $perCall $plainCached.Subject) -BaselineSamples (& $perCall $plainCached.Baseline) `
        -Subject 'Get-TSheetsToken -Name bench -AsPlainText' -Baseline 'Get-BenchNothing -Name bench -AsPlainText' `
        -Target 'ratio <= 1.5' -IsMet { param($f) $f.ratio -le 1.5 } `
        -Note "Loop of $Calls calls per sample, one warm-up loop each."
}
