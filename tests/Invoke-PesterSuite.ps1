<#
.SYNOPSIS
    Runs Pester files in this (fresh) pwsh against the built module, and writes the counts.
    Called by build.ps1 -Task Test, once per shard; not meant to be run inside a session that has
    imported the module.
.DESCRIPTION
    With -ClaimFolder, several of these run side by side over the same ordered list of files: each
    takes the next file no other has taken (a claim file created exclusively in that folder), so the
    shards stay busy until the list is done. Each shard has its own throw-away HOME (its own
    SecretStore, lock folder and PSResourceGet settings) and writes one result file per test file.
#>
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ResultsDir,
    [Parameter(Mandatory)] [string] $SummaryPath,
    # Only these test files, comma-separated, in this order (default: all of tests/pester).
    [string] $Path,
    # Where shards claim files; without it, this process runs every file.
    [string] $ClaimFolder
)

$ErrorActionPreference = 'Stop'

# The tests never touch the user's real settings: a throw-away HOME (and its Windows twins, which
# SecretManagement and .NET use there) for this process and everything it starts.
# On Windows, a folder outside the user's profile (this checkout, say) inherits an access list that
# lets every user create files in it, which the module refuses for its own folders (SECURITY.md): the
# throw-away HOME goes in the user's own temp folder there, private as a real %LOCALAPPDATA% is.
$testHome = if ($IsWindows) { Join-Path ([IO.Path]::GetTempPath()) "tsheets-pester-home-$PID" } else { Join-Path $ResultsDir 'home' }
# With the usual folders present: .NET reports a missing one as '' and tools then write beside the
# current directory (PSResourceGet's NuGet.Config, for one).
foreach ($folder in '.config', '.local/share', '.cache', 'AppData/Local', 'AppData/Roaming') {
    New-Item -ItemType Directory -Path (Join-Path $testHome $folder) -Force | Out-Null
}
$env:HOME = $testHome
$env:USERPROFILE = $testHome
$env:LOCALAPPDATA = Join-Path $testHome 'AppData/Local'
$env:APPDATA = Join-Path $testHome 'AppData/Roaming'
Remove-Item Env:XDG_DATA_HOME, Env:XDG_CONFIG_HOME, Env:XDG_CACHE_HOME, Env:SSH_CONNECTION, Env:SSH_TTY, Env:BROWSER, Env:TSHEETS_ACCESS_TOKEN -ErrorAction Ignore
$env:TSHEETS_AUTH_MODULE = (Resolve-Path -LiteralPath $ModulePath).Path
# Every test starts many pwsh processes: without telemetry and the update check each starts about
# a tenth cheaper, and none of the tests is about either.
$env:POWERSHELL_TELEMETRY_OPTOUT = '1'
$env:POWERSHELL_UPDATECHECK = 'Off'

Import-Module $PesterManifest -Force
$files = if ($Path) { @($Path -split ',' | ForEach-Object { (Resolve-Path -LiteralPath $_).Path }) } else { @(Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot 'pester') -Filter '*.Tests.ps1' | ForEach-Object FullName) }

# True when this shard is the one to run the file (always, without a claim folder).
function Request-File([string] $File) {
    if (-not $ClaimFolder) { return $true }
    try {
        [IO.File]::Open((Join-Path $ClaimFolder ([IO.Path]::GetFileName($File) + '.claim')), [IO.FileMode]::CreateNew).Dispose()
        $true
    }
    catch [IO.IOException] { $false }
}

$counts = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0; NotRun = 0; Files = @() }
[pscustomobject]$counts | ConvertTo-Json -Depth 3 | Set-Content -LiteralPath $SummaryPath -Encoding utf8
foreach ($file in $files) {
    if (-not (Request-File $file)) { continue }
    $config = New-PesterConfiguration
    $config.Run.Path = $file
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputFormat = 'NUnitXml'
    $config.TestResult.OutputPath = Join-Path $ResultsDir ('pester-' + [IO.Path]::GetFileNameWithoutExtension($file) + '.xml')
    $result = Invoke-Pester -Configuration $config
    $failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    $counts.Passed += $result.PassedCount
    $counts.Failed += $failed
    $counts.Skipped += $result.SkippedCount
    $counts.NotRun += $result.NotRunCount
    $counts.Files += [pscustomobject]@{ File = [IO.Path]::GetFileName($file); Seconds = [math]::Round($result.Duration.TotalSeconds, 1); Passed = $result.PassedCount; Failed = $failed }
    # After every file: a shard that dies later still leaves what it ran.
    [pscustomobject]$counts | ConvertTo-Json -Depth 3 | Set-Content -LiteralPath $SummaryPath -Encoding utf8
}
