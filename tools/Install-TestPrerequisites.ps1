<#
.SYNOPSIS
    Makes sure the programs the tests drive are installed, installing the missing ones with apt-get.
.DESCRIPTION
    The interactive sign-in tests type into a real terminal (tmux) and click through a real headless
    Chromium (chromium, chromedriver); the proxy tests run a real squid with basic authentication
    (its basic_ncsa_auth helper, and htpasswd from apache2-utils to write the password file).

    Each is detected by its command. What is missing is installed with apt-get (after apt-get update)
    when this runs as root, with sudo -n apt-get where sudo needs no password; otherwise nothing is
    installed and the script fails at once, printing the one command to run. Without apt-get it fails
    naming what is missing. Nothing is checked on Windows, where the tests that need these programs
    do not run. Called by build.ps1 -Task Test before it builds anything; exits 0 when all is there.

    For the prerequisite tests only, three variables pretend: TSHEETS_TEST_PRETEND_MISSING (commands,
    comma-separated, to treat as absent), TSHEETS_TEST_PRETEND_NOT_ROOT (not root, and sudo -n refused),
    TSHEETS_TEST_PRETEND_NO_APT (no apt-get on this machine).
#>
[CmdletBinding()]
param()

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

# What the tests need, each found by its command, and the Debian package that brings it.
$required = @(
    @{ Command = 'chromium'; Package = 'chromium'; Variable = 'TSHEETS_TEST_CHROMIUM'; Alternatives = @('chromium-browser', 'google-chrome', 'google-chrome-stable') }
    @{ Command = 'chromedriver'; Package = 'chromium-driver'; Variable = 'TSHEETS_TEST_CHROMEDRIVER'; Alternatives = @() }
    @{ Command = 'tmux'; Package = 'tmux' }
    @{ Command = 'squid'; Package = 'squid' }
    @{ Command = 'basic_ncsa_auth'; Package = 'squid'; Path = '/usr/lib/squid/basic_ncsa_auth' }
    @{ Command = 'htpasswd'; Package = 'apache2-utils' }
)

$pretendMissing = @("$env:TSHEETS_TEST_PRETEND_MISSING" -split ',' | ForEach-Object Trim | Where-Object { $_ })
$pretendNotRoot = [bool]$env:TSHEETS_TEST_PRETEND_NOT_ROOT
$pretendNoApt = [bool]$env:TSHEETS_TEST_PRETEND_NO_APT

function Test-Present($Requirement) {
    if ($pretendMissing -contains $Requirement.Command) { return $false }
    if ($Requirement.ContainsKey('Path')) { return (Test-Path -LiteralPath $Requirement.Path -PathType Leaf) }
    # The tests take Chromium and chromedriver from these variables when set (TerminalHelpers.psm1).
    if ($Requirement.ContainsKey('Variable')) {
        $given = [Environment]::GetEnvironmentVariable($Requirement.Variable)
        if ($given) { return [bool](Get-Command -Name $given -CommandType Application -ErrorAction Ignore) }
    }
    $names = @($Requirement.Command) + @(if ($Requirement.ContainsKey('Alternatives')) { $Requirement.Alternatives })
    foreach ($name in $names) {
        if (Get-Command -Name $name -CommandType Application -ErrorAction Ignore) { return $true }
    }
    # squid lives in /usr/sbin, which a user's PATH often leaves out.
    foreach ($folder in '/usr/sbin', '/sbin') {
        if (Test-Path -LiteralPath (Join-Path $folder $Requirement.Command) -PathType Leaf) { return $true }
    }
    $false
}

function Get-Missing {
    @($required | Where-Object { -not (Test-Present $_) })
}

function Test-Root {
    if ($pretendNotRoot) { return $false }
    (& id -u) -eq '0'
}

function Test-PasswordlessSudo {
    if ($pretendNotRoot -or -not (Get-Command -Name sudo -CommandType Application -ErrorAction Ignore)) { return $false }
    & sudo -n true 2>$null
    $LASTEXITCODE -eq 0
}

function Invoke-AptGet([string[]] $Prefix, [string[]] $Packages) {
    $steps = @(
        , @('apt-get', 'update', '-qq')
        , (@('env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', '--no-install-recommends') + $Packages)
    )
    foreach ($step in $steps) {
        $line = @($Prefix) + $step
        Write-Host "Test prerequisites: $($line -join ' ')"
        & $line[0] @($line | Select-Object -Skip 1) | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "'$($line -join ' ')' failed with exit code $LASTEXITCODE." }
    }
}

if ($IsWindows) { exit 0 }

$missing = @(Get-Missing)
if ($missing.Count -eq 0) { exit 0 }

$commands = ($missing | ForEach-Object Command) -join ', '
$packages = @($missing | ForEach-Object Package | Select-Object -Unique)

if ($pretendNoApt -or -not (Get-Command -Name apt-get -CommandType Application -ErrorAction Ignore)) {
    [Console]::Error.WriteLine("The tests need programs this machine lacks: $commands. There is no apt-get here to install them: " +
        "install them with this system's package manager (on Debian they come from: $($packages -join ' ')), then run the tests again.")
    exit 1
}

if (Test-Root) { $prefix = @() }
elseif (Test-PasswordlessSudo) { $prefix = @('sudo', '-n') }
else {
    [Console]::Error.WriteLine("The tests need programs this machine lacks: $commands. Install them with this one command, then run the tests again:")
    [Console]::Error.WriteLine('')
    [Console]::Error.WriteLine("    sudo apt-get install -y $($packages -join ' ')")
    [Console]::Error.WriteLine('')
    exit 1
}

Write-Host "Test prerequisites: installing $($packages -join ' ') (missing: $commands)."
Invoke-AptGet -Prefix $prefix -Packages $packages
$still = @(Get-Missing)
if ($still.Count -gt 0) {
    [Console]::Error.WriteLine("apt-get installed $($packages -join ' '), yet these are still missing: $(($still | ForEach-Object Command) -join ', ').")
    exit 1
}
