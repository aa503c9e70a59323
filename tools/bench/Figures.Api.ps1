# Figures 6 and 10: API calls through Invoke-TSheetsRestMethod vs Invoke-RestMethod on the
# emulator. Dot-sourced by tools/Invoke-Benchmark.ps1; $Bench is its context. Both use the
# connection named bench (written out in the loops, as in figures 2 and 3).

# -- 6. Invoke-TSheetsRestMethod -----------------------------------------------------------
function Measure-ApiFigure {
    param([Parameter(Mandatory)] $Bench, [Parameter(Mandatory)] [int] $Calls, [Parameter(Mandatory)] [int] $Repetitions)
    Write-Step "6. $Calls x Invoke-TSheetsRestMethod vs Invoke-RestMethod, without and with a web session ($Repetitions rounds)..."
    $plain = Get-TSheetsToken -Name bench -AsPlainText
    $apiUri = "$($Bench.Emulator.BaseUri)/current_user"
    $session = [Microsoft.PowerShell.Commands.WebRequestSession]::new()
    $rateLimitedBefore = Get-RateLimitedCount $Bench
    # Pacing raised out of the way (the module's default, 300 calls in 5 minutes, would make this
    # a measure of its waits); one untimed round of every loop first: the first thousand web
    # cmdlet calls of a process (and of the emulator) run measurably slower than the rest.
    $api = Invoke-WithRateLimit '1000000/1' {
        Invoke-Alternating -Repetitions $Repetitions -WarmUp 1 -Cases ([ordered]@{
                Plain   = { Measure-Milliseconds { for ($i = 0; $i -lt $Calls; $i++) { $null = Invoke-RestMethod -Uri $apiUri -Headers @{ Authorization = "Bearer $plain" } } } }
                Subject = { Measure-Milliseconds { for ($i = 0; $i -lt $Calls; $i++) { $null = Invoke-TSheetsRestMethod current_user -Name bench } } }
                Session = { Measure-Milliseconds { for ($i = 0; $i -lt $Calls; $i++) { $null = Invoke-RestMethod -Uri $apiUri -Headers @{ Authorization = "Bearer $plain" } -WebSession $session } } }
            })
    }
    # A 429 would make Invoke-RestMethod fail but Invoke-TSheetsRestMethod wait and retry: count them.
    $rateLimited = (Get-RateLimitedCount $Bench) - $rateLimitedBefore
    $plain = $null
    Add-Figure -Id '6a' -Name "$Calls x current_user vs Invoke-RestMethod" -Unit 'ms' `
        -SubjectSamples $api.Subject -BaselineSamples $api.Plain `
        -Subject "$Calls x Invoke-TSheetsRestMethod current_user -Name bench" -Baseline "$Calls x Invoke-RestMethod -Uri <base>/current_user -Headers @{ Authorization = 'Bearer ...' }" `
        -Target 'ratio <= 0.5 (2x faster)' -IsMet { param($f) $f.ratio -le 0.5 } `
        -Note 'Time for the whole loop; one untimed round of each loop first. TSHEETS_AUTH_RATE_LIMIT = ''1000000/1'' for the figure, so the client-side pacer never waits (its bookkeeping is still timed).' `
        -Extra @{ rateLimitedAnswers = $rateLimited; perCallMs = [Math]::Round((Measure-Median $api.Subject) / $Calls, 3) }
    Add-Figure -Id '6b' -Name "$Calls x current_user vs Invoke-RestMethod -WebSession" -Unit 'ms' `
        -SubjectSamples $api.Subject -BaselineSamples $api.Session `
        -Subject "$Calls x Invoke-TSheetsRestMethod current_user -Name bench" -Baseline "$Calls x Invoke-RestMethod ... -WebSession `$session (created once)" `
        -Target 'ratio <= 0.83 (1.2x faster)' -IsMet { param($f) $f.ratio -le 0.83 } `
        -Note 'Same subject samples as 6a.'
}

# -- 10. Many calls through the pacer ------------------------------------------------------
<#
The pacer keeps one slot per call until a window after its answer, in the token's pacing file that
every process of the user shares (two short visits per call: take a slot, note the answer). With
TSheets' own window (300 s) and a count never reached, every call of the figure stays in the token's
window, the most bookkeeping the pacer can have at that rate, while it never waits.
#>
function Measure-PacedApiFigure {
    param([Parameter(Mandatory)] $Bench, [Parameter(Mandatory)] [int] $Calls, [Parameter(Mandatory)] [int] $Repetitions)
    $limit = '1000000/300'
    Write-Step "10. $Calls paced Invoke-TSheetsRestMethod calls vs Invoke-RestMethod -WebSession ($Repetitions rounds, TSHEETS_AUTH_RATE_LIMIT=$limit)..."
    $plain = Get-TSheetsToken -Name bench -AsPlainText
    $apiUri = "$($Bench.Emulator.BaseUri)/current_user"
    $session = [Microsoft.PowerShell.Commands.WebRequestSession]::new()
    $rateLimitedBefore = Get-RateLimitedCount $Bench
    $paced = Invoke-WithRateLimit $limit {
        Invoke-Alternating -Repetitions $Repetitions -WarmUp 1 -Cases ([ordered]@{
                Baseline = { Measure-Milliseconds { for ($i = 0; $i -lt $Calls; $i++) { $null = Invoke-RestMethod -Uri $apiUri -Headers @{ Authorization = "Bearer $plain" } -WebSession $session } } }
                Subject  = { Measure-Milliseconds { for ($i = 0; $i -lt $Calls; $i++) { $null = Invoke-TSheetsRestMethod current_user -Name bench } } }
            })
    }
    $rateLimited = (Get-RateLimitedCount $Bench) - $rateLimitedBefore
    $plain = $null
    $perCall = @($paced.Subject | ForEach-Object { [Math]::Round($_ / $Calls, 4) })
    Add-Figure -Id '10' -Name "$Calls paced calls: current_user vs Invoke-RestMethod -WebSession" -Unit 'ms' `
        -SubjectSamples $paced.Subject -BaselineSamples $paced.Baseline `
        -Subject "$Calls x Invoke-TSheetsRestMethod current_user -Name bench, TSHEETS_AUTH_RATE_LIMIT = '$limit'" -Baseline "$Calls x Invoke-RestMethod -Uri <base>/current_user -Headers @{ Authorization = 'Bearer ...' } -WebSession `$session (created once)" `
        -Target 'ratio <= 0.83 (as 6b)' -IsMet { param($f) $f.ratio -le 0.83 } `
        -Note "Time for the whole loop; one untimed round of each first. The limit keeps TSheets' 5-minute window but a count never reached, so the pacer never waits yet holds a slot for every call of the figure (up to $($Calls * ($Repetitions + 1)) on one token), in the pacing file every process shares (two visits per call). The module's median per call: $([Math]::Round((Measure-Median $paced.Subject) / $Calls, 3)) ms." `
        -Extra @{ rateLimit = $limit; rateLimitedAnswers = $rateLimited; perCallMs = [Math]::Round((Measure-Median $paced.Subject) / $Calls, 3); perCallMsSamples = $perCall }
}
