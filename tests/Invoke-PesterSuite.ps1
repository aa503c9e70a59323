<#
.SYNOPSIS
    Runs the Pester suite in this (fresh) pwsh against the built module, and writes the counts.
    Called by build.ps1 -Task Test; not meant to be run inside a session that has imported the module.
#>
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ResultsDir,
    [Parameter(Mandatory)] [string] $SummaryPath,
    # Only these test files, comma-separated (default: all of tests/pester).
    [string] $Path
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

Import-Module $PesterManifest -Force
$config = New-PesterConfiguration
$config.Run.Path = if ($Path) { @($Path -split ',' | ForEach-Object { (Resolve-Path -LiteralPath $_).Path }) } else { Join-Path $PSScriptRoot 'pester' }
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = Join-Path $ResultsDir 'pester.xml'
$result = Invoke-Pester -Configuration $config

[pscustomobject]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount
    NotRun  = $result.NotRunCount
} | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath -Encoding utf8
