# Helpers for the Pester suite: start and drive the TSheets emulator, run a fresh pwsh.
Set-StrictMode -Version 3.0

Import-Module (Join-Path $PSScriptRoot 'TestCertificates.psm1')

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

# The build configuration under test (build.ps1 -Configuration sets it; Release otherwise).
function Get-TestConfiguration {
    if ($env:TSHEETS_TEST_CONFIGURATION) { return $env:TSHEETS_TEST_CONFIGURATION }
    'Release'
}

# A server the tests start (the emulator, the conformance server): built like the rest, run with
# dotnet, announcing its URL on one stdout line (several URLs as one ';'-separated word, Url the first).
function Start-TestServer {
    param([Parameter(Mandatory)] [string] $Project, [Parameter(Mandatory)] [string] $ReadyLine, [string[]] $Arguments = @(), [string] $Urls = 'http://127.0.0.1:0')
    $dll = Join-Path $script:RepoRoot "tests/$Project/bin/$(Get-TestConfiguration)/net10.0/$Project.dll"
    if (-not (Test-Path -LiteralPath $dll)) { throw "$Project is not built: $dll" }
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in @($dll, '--urls', $Urls, '--parent-pid', "$PID") + $Arguments) { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($info)
    $line = $process.StandardOutput.ReadLineAsync()
    if (-not $line.Wait(30000) -or $line.Result -notmatch "^$ReadyLine (\S+)$") {
        if (-not $process.HasExited) { $process.Kill() }
        throw "$Project did not start (said: '$($line.Result)')."
    }
    $announced = @($Matches[1] -split ';' | ForEach-Object { $_.TrimEnd('/') })
    [pscustomobject]@{ Process = $process; Url = $announced[0]; Urls = $announced }
}

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

# -Https: also serves https with a throw-away CA (TestCertificates.psm1). Url stays http (the control
# endpoints); BaseUri is https://localhost:PORT/api/v1; a child pwsh started with TrustEnvironment
# (SSL_CERT_FILE = CaBundlePath: the system's CAs + ours) trusts it on Linux. -DnsNames: the names the
# certificate is for (default localhost), for a test that reaches the emulator by another name.
function Start-TSheetsEmulator {
    param([switch] $Https, [string[]] $DnsNames = @('localhost'))
    if (-not $Https) {
        $server = Start-TestServer -Project 'TSheets.Emulator' -ReadyLine 'TSHEETS_EMULATOR_LISTENING'
        return [pscustomobject]@{ Process = $server.Process; Url = $server.Url; BaseUri = [uri]"$($server.Url)/api/v1" }
    }
    $certificates = New-TestCertificateSet -Folder (Join-Path ([IO.Path]::GetTempPath()) "tsheets-tls-$([guid]::NewGuid().ToString('n').Substring(0, 12))") -DnsNames $DnsNames
    $server = Start-TestServer -Project 'TSheets.Emulator' -ReadyLine 'TSHEETS_EMULATOR_LISTENING' -Urls 'http://127.0.0.1:0;https://127.0.0.1:0' `
        -Arguments '--https-certificate', $certificates.PfxPath, '--https-password', $certificates.PfxPassword
    $httpsUrl = @($server.Urls | Where-Object { $_ -like 'https://*' })[0] -replace '^https://127\.0\.0\.1:', 'https://localhost:'
    [pscustomobject]@{
        Process = $server.Process; Url = $server.Url; HttpsUrl = $httpsUrl; BaseUri = [uri]"$httpsUrl/api/v1"
        CaPath = $certificates.CaPath; CaBundlePath = $certificates.CaBundlePath; TrustEnvironment = $certificates.TrustEnvironment
        CertificateFolder = Split-Path -Parent $certificates.CaPath
    }
}

function Stop-TSheetsEmulator {
    param([Parameter(Mandatory)] $Emulator)
    try { Invoke-RestMethod -Method Post -Uri "$($Emulator.Url)/_emulator/shutdown" -TimeoutSec 5 | Out-Null } catch { }
    if (-not $Emulator.Process.WaitForExit(5000)) { $Emulator.Process.Kill() }
    if ($Emulator.PSObject.Properties['CertificateFolder']) { Remove-Item -LiteralPath $Emulator.CertificateFolder -Recurse -Force -ErrorAction Ignore }
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

# A new pwsh's start info: the script (module imported first, unless -NoImport) as an encoded
# command, standard streams redirected, and environment overrides ($null removes a variable).
function New-PwshStartInfo {
    param([Parameter(Mandatory)] [string] $Script, [string[]] $PwshArguments = @('-NoProfile', '-NonInteractive'), [switch] $NoImport, [hashtable] $Environment = @{})
    $prelude = "`$ErrorActionPreference = 'Stop'; " + $(if ($NoImport) { '' } else { "Import-Module '$(Get-TestModulePath)'; " })
    $info = [System.Diagnostics.ProcessStartInfo]::new((Get-PwshPath))
    foreach ($argument in $PwshArguments + @('-EncodedCommand', [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($prelude + $Script)))) { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    foreach ($variable in $Environment.GetEnumerator()) {
        if ($null -eq $variable.Value) { [void]$info.Environment.Remove($variable.Key) } else { $info.Environment[$variable.Key] = [string]$variable.Value }
    }
    $info
}

# Runs a script in a new pwsh (module imported); returns its output lines (standard output, then
# standard error), exit code and time. Standard input is closed.
function Invoke-FreshPwsh {
    param([Parameter(Mandatory)] [string] $Script, [string[]] $PwshArguments = @('-NoProfile', '-NonInteractive'), [switch] $NoImport, [hashtable] $Environment = @{}, [int] $TimeoutSec = 120)
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $process = [System.Diagnostics.Process]::Start((New-PwshStartInfo -Script $Script -PwshArguments $PwshArguments -NoImport:$NoImport -Environment $Environment))
    $process.StandardInput.Close()
    $output = $process.StandardOutput.ReadToEndAsync()
    $errors = $process.StandardError.ReadToEndAsync()
    if (-not $process.WaitForExit($TimeoutSec * 1000)) { $process.Kill($true); throw "The pwsh process did not end within $TimeoutSec s." }
    $process.WaitForExit()
    $lines = @(($output.Result -split "`r?`n") + ($errors.Result -split "`r?`n") | Where-Object { $_ -ne '' })
    [pscustomobject]@{ Output = $lines; ExitCode = $process.ExitCode; Elapsed = $watch.Elapsed }
}

function Get-FreePort {
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start()
    try { $probe.LocalEndpoint.Port } finally { $probe.Stop() }
}

# Starts a pwsh (not -NonInteractive) with the module imported and its standard streams redirected,
# so a test can read what it shows and write to its input; environment overrides as for Invoke-FreshPwsh.
function Start-PwshProcess {
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    $process = [System.Diagnostics.Process]::Start((New-PwshStartInfo -Script $Script -PwshArguments @('-NoProfile') -Environment $Environment))
    [pscustomobject]@{ Process = $process; Lines = [System.Collections.Generic.List[string]]::new(); Pending = $null; Errors = $process.StandardError.ReadToEndAsync() }
}

# Reads the process's output until a line matches; returns that line (throws after the timeout).
function Read-PwshProcessLine {
    param([Parameter(Mandatory)] $Session, [Parameter(Mandatory)] [string] $Pattern, [int] $TimeoutSec = 30)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ([DateTime]::UtcNow -lt $deadline) {
        if (-not $Session.Pending) { $Session.Pending = $Session.Process.StandardOutput.ReadLineAsync() }
        if (-not $Session.Pending.Wait(200)) { continue }
        $line = $Session.Pending.Result
        $Session.Pending = $null
        if ($null -eq $line) { break }
        $Session.Lines.Add($line)
        if ($line -match $Pattern) { return $line }
    }
    throw "No line matching '$Pattern' within $TimeoutSec s. Output so far:`n$($Session.Lines -join "`n")"
}

# Waits for the process to end; returns everything it wrote.
function Wait-PwshProcess {
    param([Parameter(Mandatory)] $Session, [int] $TimeoutSec = 60)
    if (-not $Session.Process.WaitForExit($TimeoutSec * 1000)) {
        $Session.Process.Kill()
        throw "The pwsh process did not end within $TimeoutSec s."
    }
    $rest = if ($Session.Pending) { @($Session.Pending.Result) } else { @() }
    $rest += $Session.Process.StandardOutput.ReadToEnd() -split "`r?`n"
    [pscustomobject]@{
        Output   = (@($Session.Lines) + $rest) -join "`n"
        Errors   = $Session.Errors.Result
        ExitCode = $Session.Process.ExitCode
    }
}

# A pwsh in a real terminal (tmux), for prompts that read keys: hidden input needs a terminal.
$script:TmuxSocket = "tsheets-tests-$PID"

# -Umask: the shell sets it before starting pwsh (say '000', to prove modes do not depend on it).
# -NoImport: the script imports what it wants (an installed module, by name). -KeepOpen: pwsh stays at
# its prompt after the script, for lines typed with Send-TmuxLine, as a person would type them.
function Start-TmuxPwsh {
    param([Parameter(Mandatory)] [string] $Script, [ValidatePattern('^[0-7]{3,4}$')] [string] $Umask, [switch] $NoImport, [switch] $KeepOpen)
    $name = "pwsh-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $prelude = "`$ErrorActionPreference = 'Stop'; " + $(if ($NoImport) { '' } else { "Import-Module '$(Get-TestModulePath)'; " })
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($prelude + $Script))
    $umaskFirst = if ($Umask) { "umask $Umask; " } else { '' }
    $noExit = if ($KeepOpen) { '-NoExit ' } else { '' }
    # The trailing sleep keeps the pane (and what it shows) readable after pwsh ends.
    & tmux -L $script:TmuxSocket new-session -d -s $name -x 220 -y 60 "$umaskFirst'$(Get-PwshPath)' -NoProfile $noExit-EncodedCommand $encoded; echo PWSH-EXITED; sleep 60"
    if ($LASTEXITCODE -ne 0) { throw 'tmux could not start a session.' }
    $name
}

function Get-TmuxScreen {
    param([Parameter(Mandatory)] [string] $Name)
    (& tmux -L $script:TmuxSocket capture-pane -p -J -S - -t $Name) -join "`n"
}

function Wait-TmuxText {
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Pattern, [int] $TimeoutSec = 30)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ([DateTime]::UtcNow -lt $deadline) {
        $screen = Get-TmuxScreen $Name
        $found = [regex]::Match($screen, $Pattern)
        if ($found.Success) { return $found }
        Start-Sleep -Milliseconds 100
    }
    throw "The terminal did not show '$Pattern' within $TimeoutSec s. It shows:`n$(Get-TmuxScreen $Name)"
}

function Send-TmuxLine {
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Text)
    & tmux -L $script:TmuxSocket send-keys -t $Name -l $Text
    & tmux -L $script:TmuxSocket send-keys -t $Name Enter
}

# Presses Ctrl+C in the terminal.
function Send-TmuxInterrupt {
    param([Parameter(Mandatory)] [string] $Name)
    & tmux -L $script:TmuxSocket send-keys -t $Name C-c
}

function Stop-TmuxPwsh {
    param([Parameter(Mandatory)] [string] $Name)
    & tmux -L $script:TmuxSocket kill-session -t $Name 2>$null
}

# A connection at -BaseUri whose token is due for refresh (2 minutes left): its next call sends /grant first.
function New-DueConnection {
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] $Client, [Parameter(Mandatory)] [uri] $BaseUri)
    $name = New-ConnectionName
    $minted = New-EmulatorToken $Emulator -ClientId $Client.ClientId
    Set-TSheetsToken -Name $name -BaseUri $BaseUri -ClientId $Client.ClientId -ClientSecret $Client.ClientSecret `
        -AccessToken ($minted.access_token | ConvertTo-TestSecureString) -RefreshToken ($minted.refresh_token | ConvertTo-TestSecureString) `
        -ExpiresOn ([DateTimeOffset]::UtcNow.AddMinutes(2))
    [pscustomobject]@{ Name = $name; Minted = $minted }
}

# When the emulator answered the API requests it records with 200, on its own clock, in order.
function Get-AnswerTimes([object[]] $Requests) {
    @($Requests | Where-Object status -EQ 200 | ForEach-Object { [DateTimeOffset]::Parse($_.at, [Globalization.CultureInfo]::InvariantCulture) } | Sort-Object)
}

# The most of the given times in any window of -Seconds (a window ending at each of them).
function Get-MostInAnyWindow([DateTimeOffset[]] $Times, [double] $Seconds) {
    $most = 0
    foreach ($time in $Times) {
        $inWindow = @($Times | Where-Object { $_ -le $time -and $_ -gt $time.AddSeconds(-$Seconds) }).Count
        if ($inWindow -gt $most) { $most = $inWindow }
    }
    $most
}

Export-ModuleMember -Function *
