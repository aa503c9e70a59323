# Helpers for the Pester suite: start and drive the TSheets emulator, run a fresh pwsh.
Set-StrictMode -Version 3.0

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

function Get-TestModulePath {
    if ($env:TSHEETS_AUTH_MODULE) { return $env:TSHEETS_AUTH_MODULE }
    Join-Path $script:RepoRoot 'out/TSheets.Auth'
}

function Get-PwshPath {
    foreach ($name in 'pwsh.exe', 'pwsh') {
        $candidate = Join-Path $PSHOME $name
        if (Test-Path -LiteralPath $candidate -PathType Leaf) { return $candidate }
    }
    throw "No pwsh executable in $PSHOME."
}

function Start-TSheetsEmulator {
    $dll = Join-Path $script:RepoRoot 'tests/TSheets.Emulator/bin/Release/net10.0/TSheets.Emulator.dll'
    if (-not (Test-Path -LiteralPath $dll)) { throw "The emulator is not built: $dll" }
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in @($dll, '--urls', 'http://127.0.0.1:0', '--parent-pid', "$PID")) { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($info)
    $line = $process.StandardOutput.ReadLineAsync()
    if (-not $line.Wait(30000) -or $line.Result -notmatch '^TSHEETS_EMULATOR_LISTENING (\S+)$') {
        if (-not $process.HasExited) { $process.Kill() }
        throw "The emulator did not start (said: '$($line.Result)')."
    }
    $url = $Matches[1].TrimEnd('/')
    [pscustomobject]@{
        Process = $process
        Url     = $url
        BaseUri = [uri]"$url/api/v1"
    }
}

function Stop-TSheetsEmulator {
    param([Parameter(Mandatory)] $Emulator)
    try { Invoke-RestMethod -Method Post -Uri "$($Emulator.Url)/_emulator/shutdown" -TimeoutSec 5 | Out-Null } catch { }
    if (-not $Emulator.Process.WaitForExit(5000)) { $Emulator.Process.Kill() }
}

function Invoke-Emulator {
    param(
        [Parameter(Mandatory)] $Emulator,
        [Parameter(Mandatory)] [string] $Path,
        [string] $Method = 'Get',
        $Body
    )
    $arguments = @{ Method = $Method; Uri = "$($Emulator.Url)$Path"; TimeoutSec = 30 }
    if ($PSBoundParameters.ContainsKey('Body')) {
        $arguments.Body = $Body | ConvertTo-Json -Depth 6 -Compress
        $arguments.ContentType = 'application/json'
    }
    Invoke-RestMethod @arguments
}

function Reset-Emulator {
    param([Parameter(Mandatory)] $Emulator)
    Invoke-Emulator $Emulator '/_emulator/reset' -Method Post | Out-Null
}

function New-EmulatorClient {
    param([Parameter(Mandatory)] $Emulator, [string] $RedirectUri = 'https://app.example/callback')
    $client = Invoke-Emulator $Emulator '/_emulator/clients' -Method Post -Body @{ redirect_uri = $RedirectUri }
    [pscustomobject]@{
        ClientId     = $client.client_id
        ClientSecret = ConvertTo-SecureString -String $client.client_secret -AsPlainText -Force
        PlainSecret  = $client.client_secret
        RedirectUri  = [uri]$client.redirect_uri
    }
}

function Approve-Authorization {
    param(
        [Parameter(Mandatory)] $Emulator,
        [Parameter(Mandatory)] [string] $Url,
        [ValidateSet('approve', 'deny')] [string] $Decision = 'approve',
        [switch] $OmitState
    )
    (Invoke-Emulator $Emulator '/_emulator/authorize' -Method Post -Body @{ url = $Url; decision = $Decision; omit_state = [bool]$OmitState }).location
}

function New-EmulatorToken {
    param([Parameter(Mandatory)] $Emulator, [string] $ClientId, [int] $ExpiresIn = 864000, [switch] $NotRefreshable)
    $body = @{ expires_in = $ExpiresIn; refreshable = -not $NotRefreshable }
    if ($ClientId) { $body.client_id = $ClientId }
    Invoke-Emulator $Emulator '/_emulator/tokens' -Method Post -Body $body
}

function Get-EmulatorStats {
    param([Parameter(Mandatory)] $Emulator)
    Invoke-Emulator $Emulator '/_emulator/stats'
}

function Add-EmulatorFault {
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [hashtable] $Fault)
    Invoke-Emulator $Emulator '/_emulator/faults' -Method Post -Body $Fault | Out-Null
}

function Set-EmulatorConfig {
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [hashtable] $Config)
    Invoke-Emulator $Emulator '/_emulator/config' -Method Post -Body $Config | Out-Null
}

function ConvertTo-TestSecureString {
    param([Parameter(Mandatory, ValueFromPipeline)] [string] $Text)
    process { ConvertTo-SecureString -String $Text -AsPlainText -Force }
}

function ConvertFrom-TestSecureString {
    param([Parameter(Mandatory, ValueFromPipeline)] [securestring] $Secure)
    process { [System.Net.NetworkCredential]::new('', $Secure).Password }
}

function New-ConnectionName { "t-$([guid]::NewGuid().ToString('n').Substring(0, 12))" }

# Runs a script in a new pwsh with the module imported; returns its output lines, exit code and time.
function Invoke-FreshPwsh {
    param([Parameter(Mandatory)] [string] $Script, [string[]] $PwshArguments = @('-NoProfile', '-NonInteractive'))
    $prelude = "`$ErrorActionPreference = 'Stop'; Import-Module '$(Get-TestModulePath)'; "
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($prelude + $Script))
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $output = & (Get-PwshPath) @PwshArguments -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" }
    [pscustomobject]@{ Output = @($output); ExitCode = $LASTEXITCODE; Elapsed = $watch.Elapsed }
}

Export-ModuleMember -Function *
