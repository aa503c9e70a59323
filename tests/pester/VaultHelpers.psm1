# Vaults for the tests: the real SecretManagement and SecretStore, always (build.ps1 -Task Test finds
# them and names their folder in TSHEETS_TEST_PSMODULES; without them the vault tests fail, saying how
# to get them); plus a small real extension vault (TestVault/) whose secrets live in a shared file and
# that fails on demand.
Set-StrictMode -Version 3.0

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:State = $null
Import-Module (Join-Path $script:RepoRoot 'tools/TestVaultModules.psm1') -Force

# The folder holding the pinned real modules; throws, saying what is missing and how to get it, when
# there is none.
function Get-RealVaultModulesPath {
    $given = $env:TSHEETS_TEST_PSMODULES
    if (Test-TestVaultModules $given) { return (Resolve-Path -LiteralPath $given).Path }
    $where = if ($given) { "TSHEETS_TEST_PSMODULES ($given) does not hold them" } else { 'TSHEETS_TEST_PSMODULES is not set (build.ps1 -Task Test sets it when it finds them; its ''Vault modules:'' line says where it looked)' }
    throw "The real vault modules are missing: $where. $(Get-TestVaultModulesHelp -RepoRoot $script:RepoRoot)"
}

# Sets the vaults up once per process (a module imported once stays loaded): vault Ops (SecretStore,
# no password), vault Flaky (the test extension vault). Child processes inherit PSModulePath and
# HOME, so they see the same vaults.
function Initialize-TestVault {
    if ($script:State) { return $script:State }
    $real = Get-RealVaultModulesPath
    $folder = Join-Path $env:HOME 'test-vault'
    New-Item -ItemType Directory -Path $folder -Force | Out-Null
    $flaky = @{ Path = Join-Path $folder 'secrets.json'; Control = Join-Path $folder 'control.json' }
    if (($env:PSModulePath -split [IO.Path]::PathSeparator) -notcontains $real) {
        $env:PSModulePath = $real + [IO.Path]::PathSeparator + $env:PSModulePath
    }
    Import-Module Microsoft.PowerShell.SecretManagement, Microsoft.PowerShell.SecretStore -Global
    Microsoft.PowerShell.SecretStore\Reset-SecretStore -Scope CurrentUser -Authentication None -PasswordTimeout -1 -Interaction None -Force -Confirm:$false -WarningAction SilentlyContinue
    Microsoft.PowerShell.SecretManagement\Register-SecretVault -Name Ops -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault -AllowClobber
    Microsoft.PowerShell.SecretManagement\Register-SecretVault -Name Flaky -ModuleName (Join-Path $PSScriptRoot 'TestVault/TSheets.TestVault') -VaultParameters $flaky -AllowClobber
    $versions = (Get-Module Microsoft.PowerShell.SecretManagement, Microsoft.PowerShell.SecretStore | ForEach-Object { "$($_.Name) $($_.Version)" }) -join ' and '
    Write-Host "Vault tests: the real $versions from $real."
    $script:State = [pscustomobject]@{ ModulesPath = $real; Flaky = $flaky }
    $script:State
}

# Makes the Flaky vault fail its next N writes (or reads); -1 for all; 0 to work again. -HangGet:
# the next read blocks that many seconds where no pipeline stop reaches it.
function Set-FlakyVault {
    param([int] $FailSet = 0, [int] $FailGet = 0, [string] $Message = 'the vault is on fire', [int] $HangGet = 0)
    # Putting back a vault that was never set up (its tests failed for want of the real modules) is nothing to do.
    if (-not $script:State -and $FailSet -eq 0 -and $FailGet -eq 0 -and $HangGet -eq 0) { return }
    $state = Initialize-TestVault
    @{ fail_set = $FailSet; fail_get = $FailGet; message = $Message; hang_get = $HangGet } | ConvertTo-Json | Set-Content -LiteralPath $state.Flaky.Control -Encoding utf8
}

# The connection document as the vault holds it now, read in a new process: this process's own
# SecretStore may serve a stale copy (it caches per process).
function Read-VaultDocument {
    param([Parameter(Mandatory)] [string] $Name, [string] $Vault = 'Ops')
    $text = Invoke-FreshPwsh -NoImport "Microsoft.PowerShell.SecretManagement\Get-Secret -Name 'TSheets.Auth.$Name' -Vault '$Vault' -AsPlainText"
    $json = ($text.Output -join "`n").Trim()
    if ($text.ExitCode -ne 0 -or -not $json.StartsWith('{')) { throw "Could not read TSheets.Auth.$Name from $Vault in a new process: $json" }
    [pscustomobject]@{ Text = $json; Document = $json | ConvertFrom-Json }
}

# The names of the secrets the vault holds now matching a pattern, read in a new process (see above).
function Get-VaultSecretName {
    param([Parameter(Mandatory)] [string] $Pattern, [string] $Vault = 'Ops')
    @((Invoke-FreshPwsh -NoImport "Microsoft.PowerShell.SecretManagement\Get-SecretInfo -Name '$Pattern' -Vault '$Vault' | ForEach-Object Name").Output)
}

# The test extension vault keeps no copy per process (every call reads its shared file under its
# lock), so for it this process sees what a new one would: the two below read it here, without the
# ~2 s of a new pwsh loading SecretManagement. (Not after Set-FlakyVault -HangGet: a hung read would
# hold this process's vault runspace.)
function Read-FlakyVaultDocument {
    param([Parameter(Mandatory)] [string] $Name)
    $json = "$(Microsoft.PowerShell.SecretManagement\Get-Secret -Name "TSheets.Auth.$Name" -Vault Flaky -AsPlainText -ErrorAction SilentlyContinue)".Trim()
    if (-not $json.StartsWith('{')) { throw "Could not read TSheets.Auth.$Name from Flaky: $json" }
    [pscustomobject]@{ Text = $json; Document = $json | ConvertFrom-Json }
}

function Get-FlakyVaultSecretName {
    param([Parameter(Mandatory)] [string] $Pattern)
    @(Microsoft.PowerShell.SecretManagement\Get-SecretInfo -Name $Pattern -Vault Flaky | ForEach-Object Name)
}

# Stores a secret as another program would, through SecretManagement from this process, not through
# the module (so this process's TSheets.Auth session holds no copy of it). Fixtures only: for the
# SecretStore, this process's copy of the store is written back whole, so use it before the test's
# other processes write, never after (a later write from here could put back what they replaced).
function Set-FixtureSecret {
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Text, [string] $Vault = 'Ops', [switch] $AsString)
    # -AsString: a string secret (what other tools store; a SecureString holds at most 65,536 characters).
    $secret = if ($AsString) { @{ Secret = $Text } } else { @{ SecureStringSecret = ConvertTo-SecureString -String $Text -AsPlainText -Force } }
    Microsoft.PowerShell.SecretManagement\Set-Secret -Name "TSheets.Auth.$Name" -Vault $Vault @secret
}

# The module's lock folder for this HOME (LocalApplicationData/TSheets.Auth/locks).
function Get-LockFolder {
    Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'TSheets.Auth/locks'
}

# The lock file of a vault entry (named as in VaultLock.FileName).
function Get-VaultLockPath {
    param([Parameter(Mandatory)] [string] $Name, [string] $Vault = 'Ops')
    $key = [Text.Encoding]::UTF8.GetBytes($Vault.ToUpperInvariant() + "`n" + $Name.ToUpperInvariant())
    $hash = ([BitConverter]::ToString([Security.Cryptography.SHA256]::Create().ComputeHash($key)) -replace '-').Substring(0, 32).ToLowerInvariant()
    Join-Path (Get-LockFolder) "$hash.lock"
}

function Test-VaultLockHeld {
    param([Parameter(Mandatory)] [string] $Name, [string] $Vault = 'Ops')
    $path = Get-VaultLockPath $Name $Vault
    if (-not (Test-Path -LiteralPath $path)) { return $false }
    try { [IO.FileStream]::new($path, 'Open', 'ReadWrite', 'None').Dispose(); $false } catch [IO.IOException] { $true }
}

Export-ModuleMember -Function *
