# Figures 11 and 12 (issue 21): pacing shared by several processes against the ideal the limit allows,
# and calls through a proxy (squid on loopback, with basic authentication) against direct ones.
# Dot-sourced by tools/Invoke-Benchmark.ps1; $Bench is its context (Emulator, ModulePath, Scratch, RepoRoot).

# -- 11. Paced calls across processes --------------------------------------------------------
<#
$Processes pwsh processes make $Calls calls each on one token at a compressed limit ($Limit calls in
$Seconds s, the module's TSHEETS_AUTH_RATE_LIMIT and the emulator's own alike), started together on a
file once each has imported the module and made one call on a token of its own (so no first call pays
for loading and connecting). The i-th call may not start before floor(i / limit) windows
after the first, so the ideal span from first to last is floor((C - 1) / limit) windows. The figure is
the throughput the processes got over that ideal (C - 1 calls over the span, both from the emulator's
own arrival times), one sample per round, each round on a new token. A HOME of the figure's own keeps
the pacing files out of the user's.
#>
function Measure-CrossProcessPacingFigure {
    param([Parameter(Mandatory)] $Bench, [int] $Processes = 4, [int] $Calls = 12, [int] $Limit = 8, [int] $Seconds = 2, [int] $Rounds = 3)
    Write-Step "11. $Processes processes x $Calls paced calls on one token at $Limit calls in $Seconds s ($Rounds rounds)..."
    $pacingHome = Join-Path $Bench.Scratch 'pacing-home'
    $environment = @{ HOME = $pacingHome; XDG_DATA_HOME = (Join-Path $pacingHome '.local/share'); LOCALAPPDATA = (Join-Path $pacingHome '.local/share'); TSHEETS_AUTH_RATE_LIMIT = "$Limit/$Seconds" }
    $moduleBefore = $env:TSHEETS_AUTH_MODULE
    $env:TSHEETS_AUTH_MODULE = $Bench.ModulePath
    $got = [System.Collections.Generic.List[double]]::new()
    $ideal = [System.Collections.Generic.List[double]]::new()
    $rateLimited = 0
    Set-EmulatorConfig $Bench.Emulator @{ rate_limit_count = $Limit; rate_limit_window_seconds = $Seconds }
    try {
        for ($round = 0; $round -lt $Rounds; $round++) {
            $environment.TEST_TOKEN = (New-EmulatorToken $Bench.Emulator).access_token
            $go = Join-Path $Bench.Scratch "go-$round"
            $script = @"
Set-TSheetsToken -Name shared -BaseUri '$($Bench.Emulator.BaseUri)' -AccessToken (ConvertTo-SecureString `$env:TEST_TOKEN -AsPlainText -Force) -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(1))
Set-TSheetsToken -Name warm -BaseUri '$($Bench.Emulator.BaseUri)' -AccessToken (ConvertTo-SecureString `$env:TEST_WARM -AsPlainText -Force) -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(1))
`$null = Invoke-TSheetsRestMethod current_user -Name warm
'READY'
while (-not (Test-Path -LiteralPath '$go')) { Start-Sleep -Milliseconds 5 }
for (`$i = 0; `$i -lt $Calls; `$i++) { `$null = Invoke-TSheetsRestMethod current_user -Name shared -TimeoutSec 120 }
'DONE'
"@
            $before = @((Get-EmulatorStats $Bench.Emulator).api_requests).Count
            $children = @(1..$Processes | ForEach-Object {
                    $environment.TEST_WARM = (New-EmulatorToken $Bench.Emulator).access_token
                    $process = [System.Diagnostics.Process]::Start((New-PwshStartInfo -Script $script -Environment $environment))
                    $process.StandardInput.Close()
                    $process
                })
            try {
                foreach ($child in $children) { if ($child.StandardOutput.ReadLine() -ne 'READY') { throw "A caller did not start: $($child.StandardError.ReadToEnd())" } }
                $warmedUp = @((Get-EmulatorStats $Bench.Emulator).api_requests).Count
                New-Item -ItemType File -Path $go | Out-Null
                foreach ($child in $children) { if (-not $child.WaitForExit(300000)) { throw 'A caller did not finish within 5 minutes.' } }
            }
            finally { foreach ($child in $children) { if (-not $child.HasExited) { $child.Kill($true) } } }

            $requests = @((Get-EmulatorStats $Bench.Emulator).api_requests | Select-Object -Skip $warmedUp)
            if ($warmedUp - $before -ne $Processes -or $requests.Count -ne $Processes * $Calls) { throw "Expected $Processes warm-up calls and $($Processes * $Calls) paced ones, the emulator saw $($warmedUp - $before) and $($requests.Count)." }
            $rateLimited += @($requests | Where-Object status -EQ 429).Count
            $times = @($requests | ForEach-Object { if ($_.at -is [datetime]) { [DateTimeOffset]::new($_.at.ToUniversalTime()) } else { [DateTimeOffset]::Parse($_.at, [Globalization.CultureInfo]::InvariantCulture) } } | Sort-Object)
            $span = ($times[-1] - $times[0]).TotalSeconds
            $idealSpan = [Math]::Floor(($times.Count - 1) / $Limit) * $Seconds
            $got.Add(($times.Count - 1) / $span)
            $ideal.Add(($times.Count - 1) / $idealSpan)
        }
    }
    finally {
        $env:TSHEETS_AUTH_MODULE = $moduleBefore
        Set-EmulatorConfig $Bench.Emulator @{ rate_limit_count = 100000; rate_limit_window_seconds = 300 }
    }
    Add-Figure -Id '11' -Name "$Processes processes x $Calls paced calls on one token vs the limit's ideal" -Unit 'calls/s' `
        -SubjectSamples $got -BaselineSamples $ideal `
        -Subject "$Processes pwsh processes x $Calls Invoke-TSheetsRestMethod current_user, one token, TSHEETS_AUTH_RATE_LIMIT = '$Limit/$Seconds'" -Baseline "the ideal: $($Processes * $Calls - 1) calls over floor(($($Processes * $Calls) - 1) / $Limit) windows of $Seconds s" `
        -Target 'ratio >= 0.9' -IsMet { param($f) $f.ratio -ge 0.9 } `
        -Note "Throughput from first to last call, from the emulator's own arrival times (limit set alike there); one sample per round, each on a new token; the processes start together on a file once each has imported the module and made one call on a token of its own. 429 answers met: $rateLimited." `
        -Extra @{ rateLimitedAnswers = $rateLimited }
}

# -- 12. A call through a proxy --------------------------------------------------------------
<#
$Calls x Invoke-TSheetsRestMethod current_user to the emulator over https through squid on loopback
with basic authentication (-Proxy and -ProxyCredential: a CONNECT tunnel, as every call to TSheets
goes through a proxy), against the same calls direct, alternating, one untimed round each first, in
one pwsh that trusts the test CA (the secrets in its environment). squid is Debian's: elsewhere the
figure is not measured.
#>
function Measure-ProxyFigure {
    param([Parameter(Mandatory)] $Bench, [int] $Calls = 300, [int] $Repetitions = 3)
    $subject = "$Calls x Invoke-TSheetsRestMethod current_user over https -Proxy <squid> -ProxyCredential <user>"
    $baseline = "$Calls x Invoke-TSheetsRestMethod current_user over https, direct"
    if ($IsWindows -or (-not (Get-Command squid -ErrorAction Ignore) -and -not (Test-Path /usr/sbin/squid))) {
        Add-UnmeasuredFigure -Id '12' -Name "$Calls https calls through squid vs direct" -Unit 'ms' -Subject $subject -Baseline $baseline -Target 'ratio <= 1.2' -Reason 'squid is not installed here (Debian: apt-get install squid apache2-utils)'
        return
    }
    Write-Step "12. $Calls x Invoke-TSheetsRestMethod over https through squid (basic authentication) vs direct ($Repetitions rounds)..."
    Import-Module (Join-Path $Bench.RepoRoot 'tests/pester/ProxyHelpers.psm1')
    $emulator = Start-TSheetsEmulator -Https
    $squid = Start-SquidProxy
    $moduleBefore = $env:TSHEETS_AUTH_MODULE
    $env:TSHEETS_AUTH_MODULE = $Bench.ModulePath
    try {
        Set-EmulatorConfig $emulator @{ rate_limit_count = 1000000 }
        $environment = @{ TEST_TOKEN = (New-EmulatorToken $emulator).access_token; TEST_PROXY_USER = $squid.UserName; TEST_PROXY_PASSWORD = $squid.Password; TSHEETS_AUTH_RATE_LIMIT = '1000000/1' }
        foreach ($entry in $emulator.TrustEnvironment.GetEnumerator()) { $environment[$entry.Key] = $entry.Value }
        $script = @"
Set-TSheetsToken -Name bench -BaseUri '$($emulator.BaseUri)' -AccessToken (ConvertTo-SecureString `$env:TEST_TOKEN -AsPlainText -Force) -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(1))
`$credential = [pscredential]::new(`$env:TEST_PROXY_USER, (ConvertTo-SecureString `$env:TEST_PROXY_PASSWORD -AsPlainText -Force))
`$cases = [ordered]@{
    Direct = { for (`$i = 0; `$i -lt $Calls; `$i++) { `$null = Invoke-TSheetsRestMethod current_user -Name bench } }
    Proxy  = { for (`$i = 0; `$i -lt $Calls; `$i++) { `$null = Invoke-TSheetsRestMethod current_user -Name bench -Proxy '$($squid.Url)' -ProxyCredential `$credential } }
}
foreach (`$round in 0..$Repetitions) {
    foreach (`$name in @(`$cases.Keys)[(`$round % 2)..((`$round % 2) - 1)]) {
        [GC]::Collect(); `$watch = [Diagnostics.Stopwatch]::StartNew(); & `$cases[`$name]
        if (`$round -gt 0) { "SAMPLE `$name `$(`$watch.Elapsed.TotalMilliseconds)" }
    }
}
"@
        $result = Invoke-FreshPwsh -Script $script -Environment $environment -TimeoutSec 600
        $samples = @{ Direct = [System.Collections.Generic.List[double]]::new(); Proxy = [System.Collections.Generic.List[double]]::new() }
        foreach ($line in $result.Output) { if ($line -match '^SAMPLE (\w+) ([0-9.]+)$') { $samples[$Matches[1]].Add([double]::Parse($Matches[2], [Globalization.CultureInfo]::InvariantCulture)) } }
        if ($samples.Proxy.Count -ne $Repetitions -or $samples.Direct.Count -ne $Repetitions) { throw "The figure's pwsh did not measure: $($result.Output -join "`n")" }
        $tunnels = @(Get-SquidAccessLog $squid | Where-Object Method -EQ 'CONNECT')
    }
    finally {
        $env:TSHEETS_AUTH_MODULE = $moduleBefore
        Stop-SquidProxy $squid
        Stop-TSheetsEmulator $emulator
    }
    Add-Figure -Id '12' -Name "$Calls https calls through squid vs direct" -Unit 'ms' `
        -SubjectSamples $samples.Proxy -BaselineSamples $samples.Direct -Subject $subject -Baseline $baseline `
        -Target 'ratio <= 1.2' -IsMet { param($f) $f.ratio -le 1.2 } `
        -Note "Time for the whole loop, in one pwsh trusting the test CA; squid on 127.0.0.1 with basic_ncsa_auth, no cache. One handler (and its pooled connections) per proxy setting: squid logged $($tunnels.Count) CONNECT lines ($(@($tunnels | Where-Object Status -EQ 407).Count) of them a 407) for $($Calls * ($Repetitions + 1)) calls. Plain http through an authenticating proxy (only the loopback emulator is plain http) costs a 407 round trip per call, since .NET sends proxy credentials only when challenged." `
        -Extra @{ tunnels = $tunnels.Count; perCallMs = [Math]::Round((Measure-Median $samples.Proxy) / $Calls, 3) }
}
