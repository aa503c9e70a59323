# Figures 5 and 7: Connect-TSheets with an authorization code, in process and in a fresh process
# (its memory). Dot-sourced by tools/Invoke-Benchmark.ps1; $Bench is its context.

# -- 5. Connect-TSheets with an authorization code ------------------------------------------
function Measure-ConnectFigure {
    param([Parameter(Mandatory)] $Bench, [Parameter(Mandatory)] [int] $Runs)
    Write-Step "5. Connect-TSheets -AuthorizationCode vs a bare HttpClient POST to /grant ($Runs runs each)..."
    $client = $Bench.Client
    $http = [System.Net.Http.HttpClient]::new()
    try {
        $grantUri = [uri]"$($Bench.Emulator.BaseUri)/grant"
        $connect = Invoke-Alternating -Repetitions $Runs -WarmUp 2 -Cases ([ordered]@{
                Baseline = {
                    $authorization = Get-AuthorizationCode $Bench
                    # What the module sends with -ClientAuthentication Post (its default): the
                    # client in the form, no Authorization header, Accept: application/json.
                    $form = [System.Collections.Generic.Dictionary[string, string]]::new()
                    $form['grant_type'] = 'authorization_code'
                    $form['code'] = $authorization.Code
                    $form['redirect_uri'] = [string]$client.RedirectUri
                    $form['code_verifier'] = $authorization.CodeVerifier
                    $form['client_id'] = $client.ClientId
                    $form['client_secret'] = $client.PlainSecret
                    $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::Post, $grantUri)
                    $request.Content = [System.Net.Http.FormUrlEncodedContent]::new($form)
                    $request.Headers.Accept.Add([System.Net.Http.Headers.MediaTypeWithQualityHeaderValue]::new('application/json'))
                    $watch = [Diagnostics.Stopwatch]::StartNew()
                    $response = $http.SendAsync($request).GetAwaiter().GetResult()
                    $null = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
                    $watch.Stop()
                    $status = [int]$response.StatusCode
                    $response.Dispose()
                    $request.Dispose()
                    if ($status -ne 200) { throw "The baseline POST to /grant answered $status." }
                    $watch.Elapsed.TotalMilliseconds
                }
                Subject  = {
                    $authorization = Get-AuthorizationCode $Bench
                    Measure-Milliseconds {
                        Connect-TSheets -AuthorizationCode $authorization.Code -CodeVerifier $authorization.CodeVerifier -RedirectUri $client.RedirectUri `
                            -ClientId $client.ClientId -ClientSecret $client.ClientSecret -BaseUri $Bench.Emulator.BaseUri -Name bench-connect -InformationAction Ignore
                    }
                }
            })
    }
    finally {
        $http.Dispose()
    }
    Add-Figure -Id '5' -Name 'Connect-TSheets -AuthorizationCode (warm, in process)' -Unit 'ms' `
        -SubjectSamples $connect.Subject -BaselineSamples $connect.Baseline `
        -Subject 'Connect-TSheets -AuthorizationCode ... -CodeVerifier ... -BaseUri <emulator> -Name bench-connect' -Baseline 'HttpClient.SendAsync(POST <base>/grant, same form, Accept: application/json), one client, body read' `
        -Target 'ratio <= 1.5' -IsMet { param($f) $f.ratio -le 1.5 } `
        -Note 'A fresh code for each call, obtained outside the timing; two warm-up calls of each first. Both sides use PKCE: each code comes from a default (PKCE) New-TSheetsAuthorizationUrl request, and both send its code_verifier, so the emulator checks the S256 challenge on both. Neither sends an Authorization header (the client is in the form, the module''s default Post).'
}

# -- 7. Memory of a fresh process -----------------------------------------------------------
# Parses "<working set> <heap> [<import ms>]" from a child's output (sizes in MB).
function ConvertFrom-MemoryLine {
    param([string] $Output)
    $fields = Get-LastFields $Output
    [pscustomobject]@{
        WorkingSetMB = [double]$fields[0] / 1MB
        HeapMB       = [double]$fields[1] / 1MB
        ImportMs     = if ($fields.Count -gt 2) { [double]$fields[2] } else { [double]::NaN }
    }
}

function Measure-MemoryFigure {
    param([Parameter(Mandatory)] $Bench, [Parameter(Mandatory)] [int] $Runs)
    Write-Step "7. Working set of a fresh pwsh after Import-Module and Connect-TSheets vs a bare one ($Runs runs each)..."
    # Both end the same way: collect, then print the working set and the managed heap.
    # The subject also reports how long its Import-Module took in process ($importMs; empty in the baseline).
    $measureTail = '[GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect(); "$([Environment]::WorkingSet) $([GC]::GetTotalMemory($true)) $importMs"'
    $connectScript = @'
$ErrorActionPreference = 'Stop'
$importWatch = [Diagnostics.Stopwatch]::StartNew()
Import-Module $env:TSHEETS_BENCH_MODULE
$importMs = $importWatch.Elapsed.TotalMilliseconds
Connect-TSheets -AuthorizationCode $env:TSHEETS_BENCH_CODE -CodeVerifier $env:TSHEETS_BENCH_VERIFIER -RedirectUri $env:TSHEETS_BENCH_REDIRECT -ClientId $env:TSHEETS_BENCH_CLIENT `
    -ClientSecret ([System.Net.NetworkCredential]::new('', $env:TSHEETS_BENCH_SECRET).SecurePassword) `
    -BaseUri $env:TSHEETS_BENCH_BASE -Name bench-memory -InformationAction Ignore

'@ + $measureTail
    $memory = Invoke-Alternating -Repetitions $Runs -WarmUp 0 -Cases ([ordered]@{
            Baseline = { ConvertFrom-MemoryLine (Invoke-FreshProcess -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $measureTail).Output }
            Subject  = {
                $authorization = Get-AuthorizationCode $Bench
                $environment = @{
                    TSHEETS_BENCH_MODULE   = $Bench.ModulePath
                    TSHEETS_BENCH_CODE     = $authorization.Code
                    TSHEETS_BENCH_VERIFIER = $authorization.CodeVerifier
                    TSHEETS_BENCH_REDIRECT = [string]$Bench.Client.RedirectUri
                    TSHEETS_BENCH_CLIENT   = $Bench.Client.ClientId
                    TSHEETS_BENCH_SECRET   = $Bench.Client.PlainSecret
                    TSHEETS_BENCH_BASE     = [string]$Bench.Emulator.BaseUri
                }
                ConvertFrom-MemoryLine (Invoke-FreshProcess -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $connectScript -Environment $environment).Output
            }
        })
    Add-Figure -Id '7' -Name 'Working set of a fresh pwsh' -Unit 'MB' `
        -SubjectSamples $memory.Subject.WorkingSetMB -BaselineSamples $memory.Baseline.WorkingSetMB `
        -Subject 'Import-Module; Connect-TSheets -AuthorizationCode -CodeVerifier; GC' -Baseline 'nothing; GC' `
        -Target 'difference <= 5 MB' -IsMet { param($f) $f.difference -le 5 } `
        -Note '[Environment]::WorkingSet after [GC]::Collect(); the code and its PKCE verifier are passed to the child in its environment. A fresh pwsh''s working set is bimodal (about 10 MB apart) whatever it loads, so single samples mislead: read the medians.' `
        -Extra @{
            subjectHeapMB       = @($memory.Subject.HeapMB | ForEach-Object { [Math]::Round($_, 2) })
            baselineHeapMB      = @($memory.Baseline.HeapMB | ForEach-Object { [Math]::Round($_, 2) })
            heapDifferenceMB    = [Math]::Round((Measure-Median $memory.Subject.HeapMB) - (Measure-Median $memory.Baseline.HeapMB), 2)
            # The lowest of each side, which the bimodal jumps do not reach.
            minimumDifferenceMB = [Math]::Round(($memory.Subject.WorkingSetMB | Measure-Object -Minimum).Minimum - ($memory.Baseline.WorkingSetMB | Measure-Object -Minimum).Minimum, 2)
            # Import-Module timed inside the subject process: the import without process start and its noise.
            inProcessImportMs   = [Math]::Round((Measure-Median $memory.Subject.ImportMs), 1)
        }
}
