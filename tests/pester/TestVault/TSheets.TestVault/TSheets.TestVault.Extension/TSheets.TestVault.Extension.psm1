# The extension vault's five functions. VaultParameters: Path (the shared secrets file) and
# Control (a JSON file: { "fail_set": N, "fail_get": N, "message": "...", "hang_get": S }; N failures
# to come, -1 for every call; the next read hangs S seconds in a call no pipeline stop can interrupt). Every call reads and writes under an exclusive lock file, so processes share it.
# Every Get-Secret is noted in <Path>.reads (the secret's name, one a line), for tests that count reads.
Set-StrictMode -Version 3.0

function Use-Vault([hashtable] $Parameters, [scriptblock] $Action, [switch] $Write) {
    $path = $Parameters.Path
    $lockPath = "$path.lock"
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ($true) {
        try { $lock = [IO.FileStream]::new($lockPath, 'OpenOrCreate', 'ReadWrite', 'None'); break }
        catch [IO.IOException] { if ([DateTime]::UtcNow -gt $deadline) { throw } ; Start-Sleep -Milliseconds 10 }
    }
    try {
        $secrets = @{}
        if (Test-Path -LiteralPath $path) {
            $stored = Get-Content -LiteralPath $path -Raw | ConvertFrom-Json
            if ($stored) { foreach ($p in $stored.PSObject.Properties) { $secrets[$p.Name] = $p.Value } }
        }
        $result = & $Action $secrets
        if ($Write) { [pscustomobject]$secrets | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $path -Encoding utf8 }
        $result
    }
    finally { $lock.Dispose() }
}

# Throws the configured failure for this operation, counting it down (under the vault's lock), or hangs.
function Assert-NotFailing([hashtable] $Parameters, [string] $Operation) {
    $control = $Parameters.Control
    if (-not $control -or -not (Test-Path -LiteralPath $control)) { return }
    $outcome = Use-Vault $Parameters {
        param($secrets)
        $state = Get-Content -LiteralPath $control -Raw | ConvertFrom-Json
        $hang = "hang_$Operation"
        if ($state.PSObject.Properties[$hang] -and $state.$hang -gt 0) {
            $seconds = $state.$hang
            $state.$hang = 0
            $state | ConvertTo-Json | Set-Content -LiteralPath $control -Encoding utf8
            return @{ Hang = $seconds }
        }
        $key = "fail_$Operation"
        if (-not $state.PSObject.Properties[$key] -or $state.$key -eq 0) { return $null }
        if ($state.$key -gt 0) { $state.$key = $state.$key - 1; $state | ConvertTo-Json | Set-Content -LiteralPath $control -Encoding utf8 }
        @{ Message = $state.message }
    }
    if ($outcome -and $outcome.Hang) { [System.Threading.Thread]::Sleep([timespan]::FromSeconds($outcome.Hang)) }
    if ($outcome -and $outcome.Message) { throw [System.InvalidOperationException]::new($outcome.Message) }
}

function Get-Secret {
    [CmdletBinding()]
    param([string] $Name, [string] $VaultName, [hashtable] $AdditionalParameters)
    Assert-NotFailing $AdditionalParameters 'get'
    # Every read noted (under the vault's lock) in <Path>.reads, one name a line: a test counts them.
    $value = Use-Vault $AdditionalParameters { param($secrets) Add-Content -LiteralPath "$($AdditionalParameters.Path).reads" -Value $Name; $secrets[$Name] }
    if ($null -ne $value) { Write-Output $value -NoEnumerate }
}

function Set-Secret {
    [CmdletBinding()]
    param([string] $Name, [object] $Secret, [string] $VaultName, [hashtable] $AdditionalParameters, [hashtable] $Metadata)
    Assert-NotFailing $AdditionalParameters 'set'
    $text = if ($Secret -is [securestring]) { [Net.NetworkCredential]::new('', $Secret).Password } else { [string]$Secret }
    Use-Vault $AdditionalParameters -Write { param($secrets) $secrets[$Name] = $text } | Out-Null
    $true
}

function Remove-Secret {
    [CmdletBinding()]
    param([string] $Name, [string] $VaultName, [hashtable] $AdditionalParameters)
    Use-Vault $AdditionalParameters -Write { param($secrets) $secrets.Remove($Name) } | Out-Null
    $true
}

function Get-SecretInfo {
    [CmdletBinding()]
    param([string] $Filter, [string] $VaultName, [hashtable] $AdditionalParameters)
    $pattern = [WildcardPattern]::new($(if ($Filter) { $Filter } else { '*' }), 'IgnoreCase')
    $names = Use-Vault $AdditionalParameters { param($secrets) @($secrets.Keys) }
    foreach ($name in $names | Where-Object { $pattern.IsMatch($_) }) {
        [Microsoft.PowerShell.SecretManagement.SecretInformation]::new($name, 'String', $VaultName)
    }
}

function Test-SecretVault {
    [CmdletBinding()]
    param([string] $VaultName, [hashtable] $AdditionalParameters)
    $true
}
