<#
.SYNOPSIS
    Builds, tests and demonstrates TSheets.Auth.
.DESCRIPTION
    -Task Build    compiles the solution and lays the module out in out/TSheets.Auth, as it ships.
    -Task Test     installs what the tests drive when it is missing (tools/Install-TestPrerequisites.ps1),
                   finds the real vault modules (tools/TestVaultModules.psm1), builds, runs xunit
                   beside Pester (in -Shards fresh pwsh processes, against the TSheets emulator), and
                   ends with one line: "N passed, N failed". Exits non-zero on any failure.
    -Task Demo     builds, starts the emulator, and walks the sign-in as a user would.
    -Task Bench    builds, starts the emulator, and measures import time, token calls, refresh,
                   sign-in and API calls side by side with their baselines; prints a table and
                   writes out/bench.json. Never asserts a time.
    -Task Package  builds and publishes out/TSheets.Auth with Publish-PSResource to a local file
                   repository in out/repository: the .nupkg the PowerShell Gallery would receive.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Package', 'Bench')]
    [string] $Task = 'Build',

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',

    # Test: run only these Pester files (and no xunit), for a quick loop on one area.
    [string[]] $PesterPath,

    # Test: use the build already in out/ and the bin folders (CI builds once, then tests twice).
    [switch] $NoBuild,

    # Test: how many Pester processes run side by side (each takes the next file until none is left).
    # Much of a test's time is spent waiting on other processes, so one more than the cores pays.
    [ValidateRange(1, 16)]
    [int] $Shards = [Environment]::ProcessorCount + 1
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleDir = Join-Path $Out 'TSheets.Auth'
$ResultsDir = Join-Path $Out 'test-results'

function Invoke-Native {
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @())
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

# A fresh pwsh like the one running this script (with `dotnet pwsh` the process is dotnet itself).
function Get-PwshPath {
    foreach ($name in 'pwsh.exe', 'pwsh') {
        $candidate = Join-Path $PSHOME $name
        if (Test-Path -LiteralPath $candidate -PathType Leaf) { return $candidate }
    }
    throw "No pwsh executable in $PSHOME."
}

function Get-ModuleVersion {
    $props = [xml](Get-Content -LiteralPath (Join-Path $Root 'Directory.Build.props') -Raw)
    $version = @($props.Project.PropertyGroup | ForEach-Object { $_.SelectSingleNode('Version') } | Where-Object { $_ })[0].InnerText
    if (-not $version) { throw 'Directory.Build.props has no <Version>.' }
    $version
}

function Invoke-Build {
    Write-Host "Building TSheets.Auth ($Configuration)..."
    Invoke-Native dotnet @('build', (Join-Path $Root 'TSheets.Auth.sln'), '-c', $Configuration, '-nologo', '-v', 'q', '-clp:NoSummary')

    # The module folder is computed from the build output: every runtime DLL the cmdlet project
    # copies (System.Text.Json and its dependencies for Windows PowerShell), the format file,
    # and the manifest with the version from Directory.Build.props.
    $bin = Join-Path $Root "src/TSheets.Auth/bin/$Configuration/netstandard2.0"
    if (Test-Path -LiteralPath $ModuleDir) { Remove-Item -LiteralPath $ModuleDir -Recurse -Force }
    New-Item -ItemType Directory -Path $ModuleDir | Out-Null
    Copy-Item -Path (Join-Path $bin '*.dll') -Destination $ModuleDir
    Copy-Item -LiteralPath (Join-Path $bin 'TSheets.Auth.Format.ps1xml'), (Join-Path $Root 'LICENSE') -Destination $ModuleDir
    $manifest = Get-Content -LiteralPath (Join-Path $Root 'TSheets.Auth.psd1') -Raw
    $manifest = $manifest -replace "ModuleVersion(\s*)=(\s*)'[^']*'", "ModuleVersion`$1=`$2'$(Get-ModuleVersion)'"
    Set-Content -LiteralPath (Join-Path $ModuleDir 'TSheets.Auth.psd1') -Value $manifest -Encoding utf8

    # Help is generated from docs/help against the real parameter metadata, in a fresh pwsh
    # (importing the module here would keep this session from rebuilding it).
    & (Get-PwshPath) -NoProfile -NonInteractive -File (Join-Path $Root 'tools/Build-Help.ps1') -ModulePath $ModuleDir -SourcePath (Join-Path $Root 'docs/help')
    if ($LASTEXITCODE -ne 0) { throw 'The help does not match the cmdlets (see above).' }
    Write-Host "Module laid out in $ModuleDir"
}

function Get-PesterManifest {
    Invoke-Native dotnet @('restore', (Join-Path $Root 'tests/tools/Tools.csproj'), '-v', 'q', '-nologo')
    $cache = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $manifest = Join-Path $cache.Trim() 'pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path -LiteralPath $manifest)) { throw "Pester was not restored to $manifest." }
    $manifest
}

# xunit over every test project of the solution (Core's, the cmdlet assembly's), one after the
# other in a job of its own beside Pester, each with its own result file and log. Returns the job;
# Receive-XunitSuite prints the logs and returns the counts summed over them.
function Start-XunitSuite {
    $projects = @(& dotnet sln (Join-Path $Root 'TSheets.Auth.sln') list | Where-Object { $_ -match 'Tests\.csproj$' } | ForEach-Object { Join-Path $Root $_.Trim() })
    if ($projects.Count -eq 0) { throw 'The solution lists no test project.' }
    Write-Host "Running xunit ($($projects.Count) projects) beside Pester..."
    Start-ThreadJob -ArgumentList $projects, $Configuration, $ResultsDir {
        param($Projects, $Configuration, $ResultsDir)
        foreach ($project in $Projects) {
            $name = [IO.Path]::GetFileNameWithoutExtension($project)
            & dotnet test $project -c $Configuration --no-build --nologo `
                --logger "trx;LogFileName=xunit-$name.trx" --logger 'console;verbosity=minimal' --results-directory $ResultsDir *> (Join-Path $ResultsDir "xunit-$name.log")
            [pscustomobject]@{ Name = $name; Exit = $LASTEXITCODE }
        }
    }
}

function Receive-XunitSuite($Job) {
    $runs = @($Job | Wait-Job | Receive-Job)
    $counts = @{ Passed = 0; Failed = 0 }
    foreach ($run in $runs) {
        Get-Content -LiteralPath (Join-Path $ResultsDir "xunit-$($run.Name).log") | Out-Host
        $trx = Join-Path $ResultsDir "xunit-$($run.Name).trx"
        $before = $counts.Failed
        if (Test-Path -LiteralPath $trx) {
            $counters = ([xml](Get-Content -LiteralPath $trx -Raw)).TestRun.ResultSummary.Counters
            $counts.Passed += [int]$counters.passed
            $counts.Failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        }
        if ($run.Exit -ne 0 -and $counts.Failed -eq $before) { $counts.Failed += 1 }  # the run itself broke
    }
    if ($runs.Count -eq 0) { $counts.Failed = 1 }
    $counts
}

# Pester over the built module in $Shards fresh pwsh processes side by side, each taking the next
# file of one list (longest first, from tests/pester/Durations.psd1) until none is left; each
# shard's output is printed whole when it ends. Returns the counts.
function Invoke-PesterSuite {
    $env:TSHEETS_TEST_CONFIGURATION = $Configuration
    # From a shell, 'a,b' arrives as one string.
    $files = @(if ($PesterPath) {
            $PesterPath | ForEach-Object { $_ -split ',' } | Where-Object { $_ } | ForEach-Object { (Resolve-Path -LiteralPath $_).Path }
        }
        else {
            $durations = Import-PowerShellDataFile -LiteralPath (Join-Path $Root 'tests/pester/Durations.psd1')
            Get-ChildItem -LiteralPath (Join-Path $Root 'tests/pester') -Filter '*.Tests.ps1' |
                Sort-Object { if ($durations.ContainsKey($_.Name)) { $durations[$_.Name] } else { [int]::MaxValue } } -Descending |
                ForEach-Object FullName
        })
    $files = @($files | Select-Object -Unique)
    $names = @($files | ForEach-Object { [IO.Path]::GetFileName($_) })
    if (@($names | Select-Object -Unique).Count -ne $names.Count) { throw 'Two Pester files of the same name: shards claim files by name.' }
    $count = [math]::Max(1, [math]::Min($Shards, $files.Count))
    Write-Host "Running Pester: $($files.Count) files in $count fresh pwsh processes side by side..."
    $claims = Join-Path $ResultsDir 'claims'
    New-Item -ItemType Directory -Path $claims -Force | Out-Null
    $manifest = Get-PesterManifest
    $shards = [System.Collections.Generic.List[object]]::new()
    $counts = @{ Passed = 0; Failed = 0; Files = @() }
    try {
        foreach ($index in 1..$count) {
            $folder = Join-Path $ResultsDir "shard-$index"
            New-Item -ItemType Directory -Path $folder -Force | Out-Null
            $summary = Join-Path $folder 'summary.json'
            $arguments = @('-NoProfile', '-File', (Join-Path $Root 'tests/Invoke-PesterSuite.ps1'), '-PesterManifest', $manifest, '-ModulePath', $ModuleDir,
                '-ResultsDir', $folder, '-SummaryPath', $summary, '-Path', ($files -join ','), '-ClaimFolder', $claims)
            $quoted = $arguments | ForEach-Object { if ($_ -match '\s') { '"' + $_ + '"' } else { $_ } }
            $process = Start-Process -FilePath (Get-PwshPath) -ArgumentList $quoted -NoNewWindow -PassThru `
                -RedirectStandardOutput (Join-Path $folder 'output.log') -RedirectStandardError (Join-Path $folder 'errors.log')
            $null = $process.Handle   # kept, so that Windows still has the exit code when it ends
            $shards.Add([pscustomobject]@{ Index = $index; Process = $process; Folder = $folder; Summary = $summary; Printed = $false })
        }
        while ($shards | Where-Object { -not $_.Printed }) {
            foreach ($shard in $shards | Where-Object { -not $_.Printed }) {
                if (-not $shard.Process.WaitForExit(200)) { continue }
                $shard.Process.WaitForExit()
                $shard.Printed = $true
                Write-Host "---- Pester shard $($shard.Index) of $count ----"
                Get-Content -LiteralPath (Join-Path $shard.Folder 'output.log'), (Join-Path $shard.Folder 'errors.log') | Out-Host
                if (Test-Path -LiteralPath $shard.Summary) {
                    $summary = Get-Content -LiteralPath $shard.Summary -Raw | ConvertFrom-Json
                    $counts.Passed += $summary.Passed
                    $counts.Failed += $summary.Failed
                    $counts.Files += @($summary.Files)
                    Write-Host "Shard $($shard.Index) ran, in this order: $(@($summary.Files | ForEach-Object File) -join ', ')"
                    if ($shard.Process.ExitCode -ne 0 -and $summary.Failed -eq 0) { $counts.Failed += 1 }   # it died in a file, or after its last
                }
                else { $counts.Failed += 1 }  # the shard itself broke
            }
        }
    }
    finally {
        # Ctrl+C or a failure here: no shard goes on alone.
        foreach ($shard in $shards) { if (-not $shard.Process.HasExited) { $shard.Process.Kill($true) } }
    }
    $unclaimed = @($files | Where-Object { -not (Test-Path -LiteralPath (Join-Path $claims ([IO.Path]::GetFileName($_) + '.claim'))) })
    if ($unclaimed) { Write-Host "Never run: $($unclaimed -join ', ')"; $counts.Failed += $unclaimed.Count }
    $counts
}

# What the tests drive (tmux, Chromium, squid, ...): installed when missing, or the run stops here,
# before anything is built, saying what to run.
function Install-TestPrerequisites {
    & (Join-Path $Root 'tools/Install-TestPrerequisites.ps1')
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

# The real SecretManagement and SecretStore for the vault tests, handed to Pester in
# TSHEETS_TEST_PSMODULES; when none is found the variable is cleared and the vault tests fail.
function Set-TestVaultModules {
    Import-Module (Join-Path $Root 'tools/TestVaultModules.psm1') -Force
    $folder = Resolve-TestVaultModules -RepoRoot $Root -CachePath (Join-Path $Out 'psmodules')
    if ($folder) { $env:TSHEETS_TEST_PSMODULES = $folder } else { Remove-Item Env:TSHEETS_TEST_PSMODULES -ErrorAction Ignore }
}

function Invoke-Test {
    Install-TestPrerequisites
    Set-TestVaultModules
    if (-not $NoBuild) { Invoke-Build }
    elseif (-not (Test-Path -LiteralPath (Join-Path $ModuleDir 'TSheets.Auth.psd1'))) { throw "-NoBuild: there is no build in $ModuleDir." }
    if (Test-Path -LiteralPath $ResultsDir) { Remove-Item -LiteralPath $ResultsDir -Recurse -Force }
    New-Item -ItemType Directory -Path $ResultsDir | Out-Null
    # Both suites test the module as it ships: the folder laid out above, not a project's bin.
    $env:TSHEETS_AUTH_MODULE = $ModuleDir
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $xunitJob = if ($PesterPath) { Write-Host "Only Pester: $($PesterPath -join ', ')" } else { Start-XunitSuite }
    $pester = Invoke-PesterSuite
    $xunit = if ($xunitJob) { Receive-XunitSuite $xunitJob } else { @{ Passed = 0; Failed = 0 } }
    Write-Host ''
    Write-Host 'Slowest Pester files:'
    $pester.Files | Sort-Object Seconds -Descending | Select-Object -First 8 | ForEach-Object { Write-Host ("  {0,6:0.0} s  {1}" -f $_.Seconds, $_.File) }
    Write-Host ("Tests ran in {0:m\:ss} (xunit and Pester side by side)." -f $watch.Elapsed)
    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    Write-Host ''
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    & (Get-PwshPath) -NoProfile -File (Join-Path $Root 'tests/Demo.ps1') -ModulePath $ModuleDir
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Package {
    Invoke-Build
    $repository = Join-Path $Out 'repository'
    if (Test-Path -LiteralPath $repository) { Remove-Item -LiteralPath $repository -Recurse -Force }
    New-Item -ItemType Directory -Path $repository | Out-Null
    $name = "TSheetsAuthBuild$PID"
    # PSResourceGet may write a NuGet.Config in the process's current directory (when the user's
    # config folder does not exist): keep that out of the source tree.
    $savedDirectory = [Environment]::CurrentDirectory
    [Environment]::CurrentDirectory = $Out
    Register-PSResourceRepository -Name $name -Uri $repository -Trusted
    try {
        Publish-PSResource -Path $ModuleDir -Repository $name
    }
    finally {
        Unregister-PSResourceRepository -Name $name
        [Environment]::CurrentDirectory = $savedDirectory
    }
    Get-ChildItem -LiteralPath $repository -Filter '*.nupkg' | ForEach-Object { Write-Host "Package: $($_.FullName)" }
}

function Invoke-Bench {
    Invoke-Build
    & (Get-PwshPath) -NoProfile -File (Join-Path $Root 'tools/Invoke-Benchmark.ps1') -ModulePath $ModuleDir -OutputPath (Join-Path $Out 'bench.json')
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Package' { Invoke-Package }
    'Bench' { Invoke-Bench }
}
