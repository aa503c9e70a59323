# Vaults for the tests: the real SecretManagement and SecretStore from ../shared/psmodules when that
# folder exists (CI always has it), else the stand-in (saying so); plus a small real extension vault
# (TestVault/) whose secrets live in a shared file and that fails on demand.
Set-StrictMode -Version 3.0

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:State = $null

function Get-RealVaultModulesPath {
    $candidate = if ($env:TSHEETS_TEST_PSMODULES) { $env:TSHEETS_TEST_PSMODULES } else { Join-Path $script:RepoRoot '../shared/psmodules' }
    if (Test-Path -LiteralPath (Join-Path $candidate 'Microsoft.PowerShell.SecretStore/Microsoft.PowerShell.SecretStore.psd1')) {
        return (Resolve-Path -LiteralPath $candidate).Path
    }
    $null
}

# Sets the vaults up once per process (a module imported once stays loaded): vault Ops (SecretStore,
# no password), vault Flaky (the test extension vault). Returns what ran: Kind is 'SecretStore' or
# 'stand-in'. Child processes inherit PSModulePath and HOME, so they see the same vaults.
function Initialize-TestVault {
    if ($script:State) { return $script:State }
    $real = Get-RealVaultModulesPath
    $folder = Join-Path $env:HOME 'test-vault'
    New-Item -ItemType Directory -Path $folder -Force | Out-Null
    $flaky = @{ Path = Join-Path $folder 'secrets.json'; Control = Join-Path $folder 'control.json' }
    if ($real) {
        if (($env:PSModulePath -split [IO.Path]::PathSeparator) -notcontains $real) {
            $env:PSModulePath = $real + [IO.Path]::PathSeparator + $env:PSModulePath
        }
        Import-Module Microsoft.PowerShell.SecretManagement, Microsoft.PowerShell.SecretStore -Global
        Microsoft.PowerShell.SecretStore\Reset-SecretStore -Scope CurrentUser -Authentication None -PasswordTimeout -1 -Interaction None -Force -Confirm:$false -WarningAction SilentlyContinue
        Microsoft.PowerShell.SecretManagement\Register-SecretVault -Name Ops -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault -AllowClobber
        Microsoft.PowerShell.SecretManagement\Register-SecretVault -Name Flaky -ModuleName (Join-Path $PSScriptRoot 'TestVault/TSheets.TestVault') -VaultParameters $flaky -AllowClobber
        $kind = 'SecretStore'
        Write-Host "Vault tests: the real Microsoft.PowerShell.SecretManagement and SecretStore from $real."
    }
    else {
        $standIn = Install-SecretManagementStandIn
        Microsoft.PowerShell.SecretManagement\Register-SecretVault -Name Ops -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault -AllowClobber
        Microsoft.PowerShell.SecretManagement\Register-SecretVault -Name Flaky -ModuleName TSheets.TestVault -VaultParameters $flaky -AllowClobber
        $kind = 'stand-in'
        Write-Host "Vault tests: the real SecretManagement and SecretStore were not found (../shared/psmodules, or TSHEETS_TEST_PSMODULES): running against the stand-in in tests/pester/SecretManagementStandIn."
    }
    $script:State = [pscustomobject]@{ Kind = $kind; Real = [bool]$real; ModulesPath = $real; Flaky = $flaky }
    $script:State
}

# Makes the Flaky vault fail its next N writes (or reads); -1 for all; 0 to work again. -HangGet:
# the next read blocks that many seconds where no pipeline stop reaches it (the real modules only).
function Set-FlakyVault {
    param([int] $FailSet = 0, [int] $FailGet = 0, [string] $Message = 'the vault is on fire', [int] $HangGet = 0)
    $state = Initialize-TestVault
    if ($state.Real) {
        @{ fail_set = $FailSet; fail_get = $FailGet; message = $Message; hang_get = $HangGet } | ConvertTo-Json | Set-Content -LiteralPath $state.Flaky.Control -Encoding utf8
    }
    else {
        # The stand-in knows only "always fails" for a vault.
        Set-StandInVaultState -StandIn (Join-Path $env:HOME 'stand-in-modules/Microsoft.PowerShell.SecretManagement') -Failing $(if ($FailSet -ne 0 -or $FailGet -ne 0) { @{ Flaky = $Message } } else { @{} })
    }
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
