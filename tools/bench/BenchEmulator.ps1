# Emulator helpers of tools/Invoke-Benchmark.ps1 (dot-sourced after tests/pester/TestHelpers.psm1
# is imported). $Bench is the driver's context: Emulator, Client, ModulePath, Scratch.

<#
A fresh one-time authorization code for the bench client, approved through the emulator (no
browser), with the PKCE verifier of its request (New-TSheetsAuthorizationUrl adds PKCE by default,
so the exchange must send it: the emulator checks it against the challenge).
#>
function Get-AuthorizationCode {
    param([Parameter(Mandatory)] $Bench)
    $request = New-TSheetsAuthorizationUrl -ClientId $Bench.Client.ClientId -RedirectUri $Bench.Client.RedirectUri -BaseUri $Bench.Emulator.BaseUri
    if (-not $request.CodeVerifier) { throw 'New-TSheetsAuthorizationUrl made a request without PKCE.' }
    $location = Approve-Authorization $Bench.Emulator $request.Url
    if (([uri]$location).Query -notmatch '(?:^\?|&)code=([^&]+)') { throw 'The emulator redirected without a code.' }
    [pscustomobject]@{ Code = [uri]::UnescapeDataString($Matches[1]); CodeVerifier = $request.CodeVerifier }
}

# Stores a real, refreshable token pair under $Name, expiring at $ExpiresOn.
function Set-BenchToken {
    param([Parameter(Mandatory)] $Bench, [Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [DateTimeOffset] $ExpiresOn)
    $minted = New-EmulatorToken $Bench.Emulator -ClientId $Bench.Client.ClientId
    Set-TSheetsToken -Name $Name -BaseUri $Bench.Emulator.BaseUri -ClientId $Bench.Client.ClientId -ClientSecret $Bench.Client.ClientSecret `
        -AccessToken ($minted.access_token | ConvertTo-TestSecureString) `
        -RefreshToken ($minted.refresh_token | ConvertTo-TestSecureString) `
        -ExpiresOn $ExpiresOn
}

# Every request to /grant the emulator has seen.
function Get-GrantCount {
    param([Parameter(Mandatory)] $Bench)
    [int](Get-EmulatorStats $Bench.Emulator).grants.total
}

# How many API calls the emulator has answered with 429 so far.
function Get-RateLimitedCount {
    param([Parameter(Mandatory)] $Bench)
    @((Get-EmulatorStats $Bench.Emulator).api_requests | Where-Object { $_.status -eq 429 }).Count
}

<#
Runs $ScriptBlock with TSHEETS_AUTH_RATE_LIMIT set to $Limit (the module reads it on every call),
then puts back what was there: the module paces calls per token at 300 in any 5 minutes, which
would make the API figures measure the pacer's waits.
#>
function Invoke-WithRateLimit {
    param([Parameter(Mandatory)] [string] $Limit, [Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    $before = $env:TSHEETS_AUTH_RATE_LIMIT
    $env:TSHEETS_AUTH_RATE_LIMIT = $Limit
    try { & $ScriptBlock }
    finally { $env:TSHEETS_AUTH_RATE_LIMIT = $before }
}
