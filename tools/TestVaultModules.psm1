# The real Microsoft.PowerShell.SecretManagement and SecretStore the vault tests run against, at the
# versions the project pins. build.ps1 -Task Test finds them (Resolve-TestVaultModules) and hands the
# folder to Pester in TSHEETS_TEST_PSMODULES; tests/pester/VaultHelpers.psm1 checks that folder with
# Test-TestVaultModules and fails the vault tests with Get-TestVaultModulesHelp when it falls short.
Set-StrictMode -Version 3.0

$script:Pinned = [ordered]@{
    'Microsoft.PowerShell.SecretManagement' = '1.1.2'
    'Microsoft.PowerShell.SecretStore'      = '1.0.6'
}
$script:GalleryUri = 'https://www.powershellgallery.com/api/v2'

# True when the folder holds both modules at exactly the pinned versions, laid out as PSModulePath
# expects: <Name>/<Name>.psd1 (as ../shared/psmodules has them) or <Name>/<Version>/<Name>.psd1
# (as Save-PSResource saves them).
function Test-TestVaultModules {
    param([string] $Path)
    if (-not $Path -or -not (Test-Path -LiteralPath $Path -PathType Container)) { return $false }
    foreach ($name in $script:Pinned.Keys) {
        $version = $script:Pinned[$name]
        $found = foreach ($manifest in (Join-Path $Path "$name/$name.psd1"), (Join-Path $Path "$name/$version/$name.psd1")) {
            if (-not (Test-Path -LiteralPath $manifest -PathType Leaf)) { continue }
            $data = try { Import-PowerShellDataFile -LiteralPath $manifest } catch { $null }
            if ($data -and $data['ModuleVersion'] -eq $version) { $manifest }
        }
        if (-not $found) { return $false }
    }
    $true
}

# What is needed and the ways to get it, for a message that stops a run.
function Get-TestVaultModulesHelp {
    param([Parameter(Mandatory)] [string] $RepoRoot)
    $names = ($script:Pinned.Keys | ForEach-Object { "$_ $($script:Pinned[$_])" }) -join ' and '
    $cache = Join-Path $RepoRoot 'out/psmodules'
    $saves = ($script:Pinned.Keys | ForEach-Object { "'Save-PSResource -Name $_ -Version $($script:Pinned[$_]) -Repository PSGallery -Path $cache -TrustRepository -SkipDependencyCheck'" }) -join ' and '
    "The vault tests need the real $names. Get them with $saves " +
    "(build.ps1 -Task Test does this itself when the PowerShell Gallery answers), " +
    "or put them in ../shared/psmodules beside the repository, or point TSHEETS_TEST_PSMODULES at a folder that holds them."
}

# Whether the Gallery answers within a few seconds: a dead network must not cost more than that.
function Test-GalleryReachable {
    $client = [Net.Http.HttpClient]::new()
    $client.Timeout = [TimeSpan]::FromSeconds(4)
    try {
        $response = $client.GetAsync($script:GalleryUri, [Net.Http.HttpCompletionOption]::ResponseHeadersRead).GetAwaiter().GetResult()
        $ok = $response.IsSuccessStatusCode
        $response.Dispose()
        $ok
    }
    catch { $false }
    finally { $client.Dispose() }
}

function Save-FromGallery {
    param([Parameter(Mandatory)] [string] $CachePath)
    if (Test-Path -LiteralPath $CachePath) { Remove-Item -LiteralPath $CachePath -Recurse -Force }
    New-Item -ItemType Directory -Path $CachePath | Out-Null
    # PSResourceGet may write a NuGet.Config in the current directory: keep it out of the source tree.
    $savedDirectory = [Environment]::CurrentDirectory
    [Environment]::CurrentDirectory = $CachePath
    try {
        foreach ($name in $script:Pinned.Keys) {
            # SecretStore requires SecretManagement, saved at its own pinned version just before.
            Save-PSResource -Name $name -Version $script:Pinned[$name] -Repository PSGallery -Path $CachePath -TrustRepository -SkipDependencyCheck -Quiet -ErrorAction Stop
        }
    }
    finally { [Environment]::CurrentDirectory = $savedDirectory }
}

# Finds the modules: the folder TSHEETS_TEST_PSMODULES names when it holds them; else the cache
# (out/psmodules) when an earlier run saved them there; else the PowerShell Gallery into the cache
# when it answers; else ../shared/psmodules. Prints one line saying which. Returns the folder, or
# $null (then the vault tests fail, saying what is missing).
function Resolve-TestVaultModules {
    param([Parameter(Mandatory)] [string] $RepoRoot, [Parameter(Mandatory)] [string] $CachePath)
    $names = "SecretManagement $($script:Pinned['Microsoft.PowerShell.SecretManagement']) and SecretStore $($script:Pinned['Microsoft.PowerShell.SecretStore'])"
    $given = $env:TSHEETS_TEST_PSMODULES
    if ($given) {
        if (Test-TestVaultModules $given) {
            Write-Host "Vault modules: $names from TSHEETS_TEST_PSMODULES ($given)."
            return (Resolve-Path -LiteralPath $given).Path
        }
        Write-Host "Vault modules: TSHEETS_TEST_PSMODULES ($given) does not hold $names; looking elsewhere."
    }
    if (Test-TestVaultModules $CachePath) {
        Write-Host "Vault modules: $names from the cache $CachePath (saved from the PowerShell Gallery by an earlier run)."
        return $CachePath
    }
    $galleryNote = 'the PowerShell Gallery did not answer'
    if (Test-GalleryReachable) {
        try {
            Save-FromGallery -CachePath $CachePath
            if (Test-TestVaultModules $CachePath) {
                Write-Host "Vault modules: $names from the PowerShell Gallery, saved to $CachePath."
                return $CachePath
            }
            $galleryNote = 'the PowerShell Gallery answered, but what Save-PSResource saved is not those versions'
        }
        catch { $galleryNote = "the PowerShell Gallery answered, but Save-PSResource failed: $($_.Exception.Message)" }
    }
    $shared = [IO.Path]::GetFullPath((Join-Path $RepoRoot '../shared/psmodules'))
    if (Test-TestVaultModules $shared) {
        Write-Host "Vault modules: $names from ../shared/psmodules ($shared; $galleryNote)."
        return $shared
    }
    Write-Host "Vault modules: NOT FOUND ($galleryNote; not in $CachePath nor $shared). The vault tests will fail. $(Get-TestVaultModulesHelp -RepoRoot $RepoRoot)"
    $null
}

Export-ModuleMember -Function Test-TestVaultModules, Get-TestVaultModulesHelp, Resolve-TestVaultModules
