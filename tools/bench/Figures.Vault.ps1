# Figure 8: the first vault read of a new process, against the real SecretManagement and
# SecretStore, in a throw-away HOME. Dot-sourced by tools/Invoke-Benchmark.ps1; $Bench is its
# context (ModulePath, Scratch, RepoRoot, Emulator, Client).

# The folder holding the real Microsoft.PowerShell.SecretManagement and SecretStore, or null.
function Get-BenchVaultModulesPath {
    param([Parameter(Mandatory)] $Bench)
    $candidate = if ($env:TSHEETS_TEST_PSMODULES) { $env:TSHEETS_TEST_PSMODULES } else { Join-Path $Bench.RepoRoot '../shared/psmodules' }
    foreach ($module in 'Microsoft.PowerShell.SecretManagement', 'Microsoft.PowerShell.SecretStore') {
        if (-not (Test-Path -LiteralPath (Join-Path $candidate "$module/$module.psd1"))) { return $null }
    }
    (Resolve-Path -LiteralPath $candidate).ProviderPath
}

<#
The environment of every child of the figure: a HOME of its own under the scratch folder (every
place .NET, PowerShell, SecretManagement and SecretStore keep per-user files), and the modules
folder first on PSModulePath.
#>
function New-VaultEnvironment {
    param([Parameter(Mandatory)] $Bench, [Parameter(Mandatory)] [string] $ModulesPath)
    $vaultHome = Join-Path $Bench.Scratch 'vault-home'
    $folders = [ordered]@{ XDG_CONFIG_HOME = '.config'; XDG_DATA_HOME = '.local/share'; XDG_CACHE_HOME = '.cache'; APPDATA = '.config'; LOCALAPPDATA = '.local/share' }
    $environment = @{ HOME = $vaultHome; USERPROFILE = $vaultHome }
    foreach ($variable in $folders.Keys) {
        $environment[$variable] = Join-Path $vaultHome $folders[$variable]
        New-Item -ItemType Directory -Path $environment[$variable] -Force | Out-Null
    }
    # The real user's own module folder stays out (pwsh adds the throw-away HOME's instead).
    $userModules = if ($IsWindows) { Join-Path ([Environment]::GetFolderPath('MyDocuments')) 'PowerShell/Modules' } else { Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'powershell/Modules' }
    $inherited = @($env:PSModulePath -split [IO.Path]::PathSeparator | Where-Object { $_ -and $_.TrimEnd('/', '\') -ne $userModules.TrimEnd('/', '\') })
    $environment.PSModulePath = (@($ModulesPath) + $inherited) -join [IO.Path]::PathSeparator
    $environment
}

function Measure-VaultFigure {
    param([Parameter(Mandatory)] $Bench, [Parameter(Mandatory)] [int] $Runs)
    $id = '8'
    $name = 'First Get-TSheetsToken -Vault in a new pwsh (whole process)'
    $subject = 'pwsh -NoProfile -NonInteractive -Command "Import-Module TSheets.Auth; Get-TSheetsToken -Name bench-vault -Vault Ops -NoRefresh"'
    $baseline = 'pwsh -NoProfile -NonInteractive -Command "Microsoft.PowerShell.SecretManagement\Get-Secret -Name TSheets.Auth.bench-vault -Vault Ops"'
    $target = 'ratio <= 1.3'
    $modules = Get-BenchVaultModulesPath $Bench
    if (-not $modules) {
        $where = if ($env:TSHEETS_TEST_PSMODULES) { "TSHEETS_TEST_PSMODULES ($env:TSHEETS_TEST_PSMODULES)" } else { '../shared/psmodules' }
        Write-Step "8. Vault: skipped."
        Add-UnmeasuredFigure -Id $id -Name $name -Unit 'ms' -Subject $subject -Baseline $baseline -Target $target `
            -Reason "the real Microsoft.PowerShell.SecretManagement and SecretStore are not in $where"
        return
    }
    Write-Step "8. Vault: first Get-TSheetsToken -Vault Ops in a new pwsh vs a bare Get-Secret, SecretStore in a throw-away HOME ($Runs runs each)..."
    $environment = New-VaultEnvironment $Bench -ModulesPath $modules

    # Set-up, in a child (never this process's HOME): a SecretStore without a password as vault
    # Ops, and a real connection stored in it. The secrets reach the child in its environment.
    $minted = New-EmulatorToken $Bench.Emulator -ClientId $Bench.Client.ClientId
    $setup = $environment.Clone()
    $setup.TSHEETS_BENCH_MODULE = $Bench.ModulePath
    $setup.TSHEETS_BENCH_BASE = [string]$Bench.Emulator.BaseUri
    $setup.TSHEETS_BENCH_CLIENT = $Bench.Client.ClientId
    $setup.TSHEETS_BENCH_SECRET = $Bench.Client.PlainSecret
    $setup.TSHEETS_BENCH_ACCESS = $minted.access_token
    $setup.TSHEETS_BENCH_REFRESH = $minted.refresh_token
    $minted = $null
    $setupScript = @'
$ErrorActionPreference = 'Stop'
function Secure([string] $Text) { [System.Net.NetworkCredential]::new('', $Text).SecurePassword }
Microsoft.PowerShell.SecretStore\Reset-SecretStore -Scope CurrentUser -Authentication None -PasswordTimeout -1 -Interaction None -Force -Confirm:$false -WarningAction SilentlyContinue
Microsoft.PowerShell.SecretManagement\Register-SecretVault -Name Ops -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
Import-Module $env:TSHEETS_BENCH_MODULE
Set-TSheetsToken -Name bench-vault -Vault Ops -BaseUri $env:TSHEETS_BENCH_BASE -ClientId $env:TSHEETS_BENCH_CLIENT -ClientSecret (Secure $env:TSHEETS_BENCH_SECRET) `
    -AccessToken (Secure $env:TSHEETS_BENCH_ACCESS) -RefreshToken (Secure $env:TSHEETS_BENCH_REFRESH) -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(9))
'ready'
'@
    $ready = Invoke-FreshProcess -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $setupScript -Environment $setup
    if ((Get-LastFields $ready.Output)[0] -ne 'ready') { throw "The vault set-up did not finish: $($ready.Output.Trim())" }

    # Each child prints "<import ms> <read ms>", timed inside it (the import is 0 where there is none).
    $module = $Bench.ModulePath -replace "'", "''"
    $prefix = '$ErrorActionPreference = ''Stop''; $watch = [Diagnostics.Stopwatch]::StartNew(); '
    $subjectCommand = $prefix + "Import-Module '$module'; `$import = `$watch.Elapsed.TotalMilliseconds; `$null = Get-TSheetsToken -Name bench-vault -Vault Ops -NoRefresh; `"`$import `$(`$watch.Elapsed.TotalMilliseconds - `$import)`""
    $baselineCommand = $prefix + "`$null = Microsoft.PowerShell.SecretManagement\Get-Secret -Name TSheets.Auth.bench-vault -Vault Ops; `"0 `$(`$watch.Elapsed.TotalMilliseconds)`""
    $run = {
        param([string] $Command)
        $child = Invoke-FreshProcess -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $Command -Environment $environment
        $fields = Get-LastFields $child.Output
        [pscustomobject]@{ Milliseconds = $child.Milliseconds; ImportMs = [double]$fields[0]; ReadMs = [double]$fields[1] }
    }
    $vault = Invoke-Alternating -Repetitions $Runs -Cases ([ordered]@{
            Baseline = { & $run $baselineCommand }
            Subject  = { & $run $subjectCommand }
        })
    $median = { param($values) [Math]::Round((Measure-Median $values), 1) }
    $inProcess = [ordered]@{
        subjectImportMs = & $median $vault.Subject.ImportMs
        subjectReadMs   = & $median $vault.Subject.ReadMs
        baselineReadMs  = & $median $vault.Baseline.ReadMs
    }
    $wallDifference = [Math]::Round((Measure-Median $vault.Subject.Milliseconds) - (Measure-Median $vault.Baseline.Milliseconds), 1)
    $rest = [Math]::Round($wallDifference - $inProcess.subjectImportMs - ($inProcess.subjectReadMs - $inProcess.baselineReadMs), 1)
    Add-Figure -Id $id -Name $name -Unit 'ms' `
        -SubjectSamples $vault.Subject.Milliseconds -BaselineSamples $vault.Baseline.Milliseconds `
        -Subject $subject -Baseline $baseline -Target $target -IsMet { param($f) $f.ratio -le 1.3 } `
        -Note ("Wall time from process start to exit, one warm-up of each first; the real SecretManagement and SecretStore from $modules, vault Ops (SecretStore, no password) in a throw-away HOME, the connection stored by Set-TSheetsToken -Vault Ops in a set-up child. " +
            "What the difference ($wallDifference ms) is made of, timed inside the processes (medians): Import-Module TSheets.Auth $($inProcess.subjectImportMs) ms; Get-TSheetsToken $($inProcess.subjectReadMs) ms (a private runspace, Import-Module SecretManagement in it, Get-Secret, the document read) against $($inProcess.baselineReadMs) ms for the bare Get-Secret (SecretManagement auto-loaded by its module-qualified name, then SecretStore's first read); the remaining $rest ms lie outside the timed part (process start and exit) or in the noise.") `
        -Extra @{ inProcessMs = $inProcess }
}
