# Helpers for the tests that need real processes, terminals and browsers around the module: child
# processes started the way a scheduler starts them, openers that record whether they ran, a
# listener that only counts who connects, and where Chromium is. No dependency on TestHelpers.psm1,
# so a script the module launches (ChromiumBrowser.ps1) can import it too.
Set-StrictMode -Version 3.0

# Chromium and chromedriver: $env:TSHEETS_TEST_CHROMIUM / $env:TSHEETS_TEST_CHROMEDRIVER, else the
# first of the usual names on PATH. Missing lists what was not found, and where it was looked for.
function Find-ChromiumTool {
    function Find([string] $Variable, [string[]] $Names) {
        $given = [Environment]::GetEnvironmentVariable($Variable)
        if ($given) {
            $command = Get-Command -Name $given -CommandType Application -ErrorAction Ignore | Select-Object -First 1
            return $(if ($command) { $command.Source } else { $null })
        }
        foreach ($name in $Names) {
            $command = Get-Command -Name $name -CommandType Application -ErrorAction Ignore | Select-Object -First 1
            if ($command) { return $command.Source }
        }
        $null
    }
    $chromium = Find 'TSHEETS_TEST_CHROMIUM' @('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable')
    $driver = Find 'TSHEETS_TEST_CHROMEDRIVER' @('chromedriver')
    function Said([string] $Variable, [string] $Otherwise) {
        $given = [Environment]::GetEnvironmentVariable($Variable)
        if ($given) { "'$given' (from `$env:$Variable)" } else { "`$env:$Variable unset, and none of $Otherwise on PATH" }
    }
    $missing = @()
    if (-not $chromium) { $missing += "Chromium: $(Said 'TSHEETS_TEST_CHROMIUM' 'chromium, chromium-browser, google-chrome')" }
    if (-not $driver) { $missing += "chromedriver: $(Said 'TSHEETS_TEST_CHROMEDRIVER' 'chromedriver')" }
    [pscustomobject]@{ Chromium = $chromium; ChromeDriver = $driver; Missing = $missing }
}

function Test-PortFree {
    param([Parameter(Mandatory)] [int] $Port)
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, $Port)
    try { $probe.Start(); $true } catch { $false } finally { $probe.Stop() }
}

# Quotes a word for bash -c.
function ConvertTo-BashWord {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Text)
    "'" + ($Text -replace "'", "'\''") + "'"
}

# A folder with two openers that only record that they ran: 'browser' (for $env:BROWSER) and
# 'xdg-open' (the Linux default opener, found first when the folder leads PATH). Each touches its
# own file in the folder; Get-OpenerRecord says which ran. The paths are written into the scripts,
# so they record even in a process started with an empty environment (env -i).
function New-OpenerRecorder {
    param([Parameter(Mandatory)] [string] $Path)
    New-Item -ItemType Directory -Path $Path -Force | Out-Null
    $folder = (Resolve-Path -LiteralPath $Path).Path
    foreach ($name in 'browser', 'xdg-open') {
        $mark = Join-Path $folder "ran-$name"
        if ($IsWindows) {
            Set-Content -LiteralPath (Join-Path $folder "$name.cmd") -Value "@echo off`r`ntype nul > `"$mark`"`r`n"
        }
        else {
            $script = Join-Path $folder $name
            Set-Content -LiteralPath $script -Value "#!/bin/sh`n: > $(ConvertTo-BashWord $mark)`n" -NoNewline
            & chmod +x $script
        }
    }
    [pscustomobject]@{
        Folder  = $folder
        Browser = if ($IsWindows) { Join-Path $folder 'browser.cmd' } else { Join-Path $folder 'browser' }
    }
}

function Get-OpenerRecord {
    param([Parameter(Mandatory)] $Recorder)
    @(Get-ChildItem -LiteralPath $Recorder.Folder -Filter 'ran-*' | ForEach-Object { $_.Name -replace '^ran-', '' })
}

# Starts a process with its output read in the background; Environment adds or replaces variables.
# Its standard input is a pipe that is closed at once unless -KeepInput (the process sees end of file).
function Start-ChildProcess {
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [hashtable] $Environment = @{},
        [string] $Name = $FilePath
    )
    $info = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($argument in $ArgumentList) { $info.ArgumentList.Add($argument) }
    foreach ($key in $Environment.Keys) { $info.Environment[$key] = $Environment[$key] }
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $process = [System.Diagnostics.Process]::Start($info)
    $process.StandardInput.Close()
    [pscustomobject]@{
        Name    = $Name
        Process = $process
        Watch   = $watch
        Output  = $process.StandardOutput.ReadToEndAsync()
        Errors  = $process.StandardError.ReadToEndAsync()
    }
}

# Waits for a child; one still running after the timeout is killed with everything it started.
function Wait-ChildProcess {
    param([Parameter(Mandatory)] $Child, [int] $TimeoutSec = 60)
    $ended = $Child.Process.WaitForExit($TimeoutSec * 1000)
    if (-not $ended) { $Child.Process.Kill($true); $Child.Process.WaitForExit(10000) | Out-Null }
    else { $Child.Process.WaitForExit() }   # and its output pipes drained
    [pscustomobject]@{
        Name     = $Child.Name
        TimedOut = -not $ended
        ExitCode = if ($ended) { $Child.Process.ExitCode } else { $null }
        Elapsed  = $Child.Watch.Elapsed
        # ConsoleHost writes terminal modes (ESC [?1h) even to a pipe: keep only the text.
        Output   = $Child.Output.Result -replace '\x1b\[[0-9;?]*[A-Za-z]', ''
        Errors   = $Child.Errors.Result
    }
}

# Runs children with at most Throttle at a time (the CI machine has two cores); returns their
# results by name. Each item: @{ Name; FilePath; ArgumentList; Environment }.
function Invoke-ChildProcessBatch {
    param([Parameter(Mandatory)] [object[]] $Item, [int] $Throttle = 4, [int] $TimeoutSec = 60)
    $queue = [System.Collections.Generic.Queue[object]]::new([object[]]$Item)
    $running = [System.Collections.Generic.List[object]]::new()
    $results = @{}
    while ($queue.Count -gt 0 -or $running.Count -gt 0) {
        while ($queue.Count -gt 0 -and $running.Count -lt $Throttle) {
            $next = $queue.Dequeue()
            $running.Add((Start-ChildProcess -Name $next.Name -FilePath $next.FilePath -ArgumentList $next.ArgumentList -Environment $next.Environment))
        }
        foreach ($child in @($running)) {
            if ($child.Process.HasExited -or $child.Watch.Elapsed.TotalSeconds -gt $TimeoutSec) {
                $results[$child.Name] = Wait-ChildProcess $child -TimeoutSec 0
                $running.Remove($child) | Out-Null
            }
        }
        Start-Sleep -Milliseconds 50
    }
    $results
}

# A loopback port that accepts connections and never answers: proof that nothing was sent is that
# nothing connected. Stop it with Stop-TcpTripwire, which says how many connected.
function Start-TcpTripwire {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    [pscustomobject]@{ Listener = $listener; Port = $listener.LocalEndpoint.Port; Url = "http://127.0.0.1:$($listener.LocalEndpoint.Port)" }
}

# How many connections have arrived so far (each accepted and closed).
function Get-TcpTripwireCount {
    param([Parameter(Mandatory)] $Tripwire)
    if (-not $Tripwire.PSObject.Properties['Count']) { $Tripwire | Add-Member -NotePropertyName Count -NotePropertyValue 0 }
    while ($Tripwire.Listener.Pending()) {
        $Tripwire.Listener.AcceptTcpClient().Dispose()
        $Tripwire.Count++
    }
    $Tripwire.Count
}

function Stop-TcpTripwire {
    param([Parameter(Mandatory)] $Tripwire)
    $count = Get-TcpTripwireCount $Tripwire
    $Tripwire.Listener.Stop()
    $count
}

Export-ModuleMember -Function Find-ChromiumTool, Test-PortFree, ConvertTo-BashWord, New-OpenerRecorder, Get-OpenerRecord,
    Start-ChildProcess, Wait-ChildProcess, Invoke-ChildProcessBatch, Start-TcpTripwire, Get-TcpTripwireCount, Stop-TcpTripwire
