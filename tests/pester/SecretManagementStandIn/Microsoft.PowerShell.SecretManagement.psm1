# Stand-in SecretManagement: the real commands and parameters; vaults registered where the real
# module keeps them (the per-user vaultinfo file, under $env:HOME on Linux and macOS), secrets in
# store.json beside this file (test data only), and a control.json that makes a vault fail or
# report itself locked:  { "failing": { "Ops": "the disk is on fire" }, "locked": [ "Ops" ] }
Set-StrictMode -Version 3.0

$script:StorePath = Join-Path $PSScriptRoot 'store.json'
$script:ControlPath = Join-Path $PSScriptRoot 'control.json'
$script:LockPath = Join-Path $PSScriptRoot 'store.lock'

function Get-RegistryPath {
    if ($IsWindows) { Join-Path $env:LOCALAPPDATA 'Microsoft/PowerShell/secretmanagement/secretvaultregistry/vaultinfo' }
    else { Join-Path $env:HOME '.secretmanagement/secretvaultregistry/vaultinfo' }
}

# The registered vaults, as the real module's registry file holds them.
function Read-Registry {
    $path = Get-RegistryPath
    $registry = if (Test-Path -LiteralPath $path) { Get-Content -LiteralPath $path -Raw | ConvertFrom-Json } else { $null }
    if (-not $registry) { $registry = [pscustomobject]@{ DefaultVaultName = ''; Vaults = [pscustomobject]@{} } }
    $registry
}

function Write-Registry($Registry) {
    $path = Get-RegistryPath
    New-Item -ItemType Directory -Path (Split-Path $path) -Force | Out-Null
    $Registry | ConvertTo-Json -Depth 6 | Set-Content -LiteralPath $path -Encoding utf8
}

function Get-RegisteredVault {
    $registry = Read-Registry
    foreach ($vault in $registry.Vaults.PSObject.Properties) {
        [pscustomobject]@{ name = $vault.Name; moduleName = $vault.Value.ModuleName; isDefault = $vault.Name -eq $registry.DefaultVaultName }
    }
}

# Read-modify-write under an exclusive file lock: several processes share the store.
function Use-Store([scriptblock] $Action, [switch] $Write) {
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ($true) {
        try { $lock = [IO.FileStream]::new($script:LockPath, 'OpenOrCreate', 'ReadWrite', 'None'); break }
        catch [IO.IOException] { if ([DateTime]::UtcNow -gt $deadline) { throw } ; Start-Sleep -Milliseconds 20 }
    }
    try {
        $store = if (Test-Path -LiteralPath $script:StorePath) { Get-Content -LiteralPath $script:StorePath -Raw | ConvertFrom-Json } else { $null }
        if (-not $store) { $store = [pscustomobject]@{ secrets = @() } }
        $store.secrets = @($store.secrets)
        $store | Add-Member -NotePropertyName vaults -NotePropertyValue @(Get-RegisteredVault) -Force
        $result = & $Action $store
        if ($Write) { [pscustomobject]@{ secrets = $store.secrets } | ConvertTo-Json -Depth 8 | Set-Content -LiteralPath $script:StorePath -Encoding utf8 }
        $result
    }
    finally { $lock.Dispose() }
}

function Assert-VaultUsable([string] $Vault, $Store) {
    if (-not ($Store.vaults | Where-Object name -EQ $Vault)) {
        throw [System.Management.Automation.ItemNotFoundException]::new("Vault $Vault does not exist in registry.")
    }
    if (Test-Path -LiteralPath $script:ControlPath) {
        $control = Get-Content -LiteralPath $script:ControlPath -Raw | ConvertFrom-Json
        if ($control.PSObject.Properties['failing'] -and $control.failing.PSObject.Properties[$Vault]) {
            throw [System.InvalidOperationException]::new($control.failing.$Vault)
        }
        if ($control.PSObject.Properties['locked'] -and @($control.locked) -contains $Vault) {
            throw [System.InvalidOperationException]::new('A valid password is required to access the Microsoft.PowerShell.SecretStore vault. Use the Unlock-SecretStore cmdlet to provide the required password to access the store.')
        }
    }
}

function Resolve-VaultName([string] $Vault, $Store) {
    if ($Vault) { return $Vault }
    $default = $Store.vaults | Where-Object isDefault | Select-Object -First 1
    if (-not $default) { throw [System.InvalidOperationException]::new('No vault is registered as the default vault.') }
    $default.name
}

function ConvertTo-SecretValue($Entry, [bool] $AsPlainText) {
    switch ($Entry.type) {
        'String' { if ($AsPlainText) { $Entry.value } else { ConvertTo-SecureString -String $Entry.value -AsPlainText -Force } }
        'SecureString' { if ($AsPlainText) { $Entry.value } else { ConvertTo-SecureString -String $Entry.value -AsPlainText -Force } }
        'Hashtable' {
            $table = @{}
            foreach ($property in $Entry.value.PSObject.Properties) {
                $table[$property.Name] = if ($AsPlainText) { $property.Value } else { ConvertTo-SecureString -String $property.Value -AsPlainText -Force }
            }
            $table
        }
    }
}

function Get-Secret {
    [CmdletBinding(DefaultParameterSetName = 'NameParameterSet')]
    param(
        [Parameter(ParameterSetName = 'NameParameterSet', Position = 0, Mandatory, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()] [string] $Name,
        [Parameter(ParameterSetName = 'NameParameterSet', Position = 1)]
        [string] $Vault,
        [Parameter(ParameterSetName = 'InfoParameterSet', Position = 0, Mandatory, ValueFromPipeline)]
        [ValidateNotNull()] [psobject] $InputObject,
        [switch] $AsPlainText
    )
    process {
        if ($InputObject) { $Name = $InputObject.Name; $Vault = $InputObject.VaultName }
        $entry = Use-Store {
            param($store)
            $vaultName = Resolve-VaultName $Vault $store
            Assert-VaultUsable $vaultName $store
            $store.secrets | Where-Object { $_.name -eq $Name -and $_.vault -eq $vaultName } | Select-Object -First 1
        }
        if (-not $entry) {
            Write-Error -Message "The secret $Name was not found." -ErrorId 'GetSecretNotFound' -Category ObjectNotFound -TargetObject $Name
            return
        }
        ConvertTo-SecretValue $entry $AsPlainText.IsPresent
    }
}

function Set-Secret {
    [CmdletBinding(DefaultParameterSetName = 'SecureStringParameterSet')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()] [string] $Name,
        [Parameter(Mandatory, Position = 1, ParameterSetName = 'ObjectParameterSet', ValueFromPipeline)]
        [object] $Secret,
        [Parameter(Mandatory, ParameterSetName = 'SecureStringParameterSet', ValueFromPipeline)]
        [securestring] $SecureStringSecret,
        [Parameter(Position = 2)]
        [string] $Vault,
        [hashtable] $Metadata,
        [switch] $NoClobber
    )
    process {
        if ($PSCmdlet.ParameterSetName -eq 'SecureStringParameterSet') { $Secret = $SecureStringSecret }
        $plain = { param($s) [Net.NetworkCredential]::new('', $s).Password }
        $entry = switch ($Secret) {
            { $_ -is [securestring] } { @{ type = 'SecureString'; value = & $plain $_ }; break }
            { $_ -is [string] } { @{ type = 'String'; value = $_ }; break }
            { $_ -is [hashtable] } {
                $values = [ordered]@{}
                foreach ($key in $_.Keys) { $values[$key] = if ($_[$key] -is [securestring]) { & $plain $_[$key] } else { [string]$_[$key] } }
                @{ type = 'Hashtable'; value = $values }; break
            }
            default { throw [System.ArgumentException]::new("The secret type $($Secret.GetType()) is not supported.") }
        }
        Use-Store -Write {
            param($store)
            $vaultName = Resolve-VaultName $Vault $store
            Assert-VaultUsable $vaultName $store
            $existing = $store.secrets | Where-Object { $_.name -eq $Name -and $_.vault -eq $vaultName }
            if ($existing -and $NoClobber) { throw [System.InvalidOperationException]::new("A secret with name $Name already exists in vault $vaultName.") }
            $store.secrets = @($store.secrets | Where-Object { -not ($_.name -eq $Name -and $_.vault -eq $vaultName) }) + [pscustomobject]@{
                name = $Name; vault = $vaultName; type = $entry.type; value = $entry.value; metadata = $Metadata
            }
        } | Out-Null
    }
}

function Remove-Secret {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()] [string] $Name,
        [Parameter(Mandatory, Position = 1, ValueFromPipelineByPropertyName)]
        [Alias('VaultName')] [ValidateNotNullOrEmpty()] [string] $Vault
    )
    process {
        $removed = Use-Store -Write {
            param($store)
            Assert-VaultUsable $Vault $store
            $before = $store.secrets.Count
            $store.secrets = @($store.secrets | Where-Object { -not ($_.name -eq $Name -and $_.vault -eq $Vault) })
            $before -ne $store.secrets.Count
        }
        if (-not $removed) {
            Write-Error -Message "The secret $Name was not found in vault $Vault." -ErrorId 'RemoveSecretNotFound' -Category ObjectNotFound -TargetObject $Name
        }
    }
}

function Get-SecretInfo {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0)] [string] $Name = '*',
        [Parameter(Position = 1)] [string] $Vault
    )
    $pattern = [WildcardPattern]::new($Name, 'IgnoreCase')
    Use-Store {
        param($store)
        $vaults = if ($Vault) { @($Vault) } else { @($store.vaults | ForEach-Object name) }
        foreach ($vaultName in $vaults) {
            Assert-VaultUsable $vaultName $store
            foreach ($entry in $store.secrets | Where-Object { $_.vault -eq $vaultName -and $pattern.IsMatch($_.name) }) {
                [pscustomobject]@{ Name = $entry.name; Type = $entry.type; VaultName = $entry.vault; Metadata = $entry.metadata }
            }
        }
    }
}

function Get-SecretVault {
    [CmdletBinding()]
    param([Parameter(Position = 0)] [string[]] $Name = @('*'))
    Use-Store {
        param($store)
        foreach ($requested in $Name) {
            $pattern = [WildcardPattern]::new($requested, 'IgnoreCase')
            $found = @($store.vaults | Where-Object { $pattern.IsMatch($_.name) })
            if (-not $found -and -not [WildcardPattern]::ContainsWildcardCharacters($requested)) {
                Write-Error -Message "Vault $requested does not exist in registry." -ErrorId 'GetSecretVaultNotFound' -Category ObjectNotFound -TargetObject $requested
            }
            foreach ($vault in $found) {
                [pscustomobject]@{ Name = $vault.name; ModuleName = $vault.moduleName; IsDefault = [bool]$vault.isDefault; Description = '' }
            }
        }
    }
}

function Register-SecretVault {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Position = 0)] [string] $Name,
        [Parameter(Mandatory, Position = 1)] [string] $ModuleName,
        [hashtable] $VaultParameters,
        [switch] $DefaultVault,
        [switch] $AllowClobber,
        [switch] $PassThru,
        [string] $Description
    )
    if (-not $Name) { $Name = $ModuleName }
    $registry = Read-Registry
    if ($registry.Vaults.PSObject.Properties[$Name] -and -not $AllowClobber) { throw [System.InvalidOperationException]::new("Vault $Name is already registered.") }
    $registry.Vaults | Add-Member -NotePropertyName $Name -NotePropertyValue ([pscustomobject]@{ ModuleName = $ModuleName; VaultParameters = $VaultParameters; ImplementingFunctions = $true }) -Force
    if ($DefaultVault -or -not $registry.DefaultVaultName) { $registry.DefaultVaultName = $Name }
    Write-Registry $registry
}

function Unregister-SecretVault {
    [CmdletBinding(SupportsShouldProcess)]
    param([Parameter(Mandatory, Position = 0)] [string[]] $Name)
    $registry = Read-Registry
    foreach ($vault in $Name) {
        $registry.Vaults.PSObject.Properties.Remove($vault)
        if ($registry.DefaultVaultName -eq $vault) { $registry.DefaultVaultName = '' }
    }
    Write-Registry $registry
}

function Test-SecretVault {
    [CmdletBinding()]
    param([Parameter(Position = 0)] [string[]] $Name = @('*'))
    foreach ($vault in Get-SecretVault -Name $Name) {
        try { Use-Store { param($store) Assert-VaultUsable $vault.Name $store }; $true } catch { Write-Error $_; $false }
    }
}

Export-ModuleMember -Function Get-Secret, Set-Secret, Remove-Secret, Get-SecretInfo, Get-SecretVault, Register-SecretVault, Unregister-SecretVault, Test-SecretVault
