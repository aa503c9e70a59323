# Issue 25, finding 1: the per-user lock folder cannot be turned against its owner. Each case
# refreshes a vault-held connection in a fresh pwsh started under `umask 000`, whose data folder
# (XDG_DATA_HOME) the test prepared the way the audit's attacker did: a symlink planted for the
# `locks` folder or for a lock file, pointing at a root-only victim file; a folder another user owns.
# As root (CI) a second local user is created to own what the attacker plants; the decisions
# themselves, Windows' included, are also xunit tests with the OS facts injected (PrivacyRulesTests).
BeforeDiscovery {
    $unix = -not $IsWindows
    $secondUser = $unix -and ((& id -u) -eq '0') -and [bool](Get-Command useradd -ErrorAction Ignore)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TerminalHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'VaultHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $emulator = Start-TSheetsEmulator
    Initialize-TestVault | Out-Null
    $attacker = $null
    if (-not $IsWindows -and (& id -u) -eq '0' -and (Get-Command useradd -ErrorAction Ignore)) {
        $attacker = "tsa25-$(Get-Random -Maximum 99999)"
        & useradd --system --no-create-home --shell /usr/sbin/nologin $attacker
        if ($LASTEXITCODE -ne 0) { throw "useradd $attacker failed." }
    }

    # The lock file's name for a vault entry (as VaultLock.FileName makes it).
    function Get-LockFileName([string] $Name, [string] $Vault = 'Ops') {
        $key = [Text.Encoding]::UTF8.GetBytes($Vault.ToUpperInvariant() + "`n" + $Name.ToUpperInvariant())
        (([BitConverter]::ToString([Security.Cryptography.SHA256]::Create().ComputeHash($key)) -replace '-').Substring(0, 32).ToLowerInvariant()) + '.lock'
    }

    # A refreshable connection in vault Ops, due for nothing (the child forces the refresh).
    function New-VaultConnection([string] $Name) {
        $client = New-EmulatorClient $emulator
        $minted = New-EmulatorToken $emulator -ClientId $client.ClientId
        Set-TSheetsToken -Name $Name -AccessToken ($minted.access_token | ConvertTo-TestSecureString) -RefreshToken ($minted.refresh_token | ConvertTo-TestSecureString) `
            -ClientId $client.ClientId -ClientSecret $client.ClientSecret -BaseUri $emulator.BaseUri -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(5)) -Vault Ops
    }

    # A script that forces a refresh and prints TOKEN, VERBOSE and ERRORID lines.
    function Get-RefreshScript([string] $Name) {
        "try { Get-TSheetsToken -Name '$Name' -Vault Ops -ForceRefresh -Verbose 4>&1 | ForEach-Object { if (`$_ -is [Management.Automation.VerboseRecord]) { 'VERBOSE ' + `$_.Message } else { 'TOKEN ' + `$_.UserId } } } catch { 'ERRORID ' + `$_.FullyQualifiedErrorId }"
    }

    # Runs a script (module imported) in a fresh pwsh under umask 000 whose data folder is $Data.
    function Invoke-UnderUmask000([string] $Data, [string] $Script) {
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes("`$ErrorActionPreference = 'Stop'; Import-Module '$(Get-TestModulePath)'`n$Script"))
        $child = Start-ChildProcess -FilePath sh -ArgumentList @('-c', 'umask 000; exec "$0" "$@"', (Get-PwshPath), '-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded) -Environment @{ XDG_DATA_HOME = $Data }
        $result = Wait-ChildProcess $child -TimeoutSec 120
        $result.TimedOut | Should -BeFalse
        @(($result.Output + $result.Errors) -split '\r?\n' | Where-Object { $_ })
    }

    function Get-Mode([string] $Path) { [Convert]::ToString([int][IO.File]::GetUnixFileMode($Path), 8) }

    # A root-only file the attacker wants overwritten.
    function New-Victim {
        $victim = Join-Path $TestDrive "victim-$(Get-Random)"
        Set-Content -LiteralPath $victim -Value 'root-only: keep me' -NoNewline
        & chmod 600 $victim
        $victim
    }

    # Plants a symbolic link, owned by the attacker when there is one.
    function New-PlantedLink([string] $Path, [string] $Target) {
        New-Item -ItemType SymbolicLink -Path $Path -Target $Target | Out-Null
        if ($attacker) { & chown -h $attacker $Path }
    }
}

AfterAll {
    if ($attacker) { & userdel $attacker 2>$null }
    if ($emulator) { Stop-TSheetsEmulator $emulator }
}

Describe 'The lock folder cannot be turned against its owner (issue 25, finding 1)' -Skip:(-not $unix) {
    BeforeEach {
        Reset-Emulator $emulator
        $name = New-ConnectionName
        New-VaultConnection $name
        $data = Join-Path $TestDrive "data-$name/share"
        $lockName = Get-LockFileName $name
    }

    It 'makes every folder 0700 (the data folder it had to create too) and every lock file 0600 under umask 000' {
        $out = Invoke-UnderUmask000 $data (Get-RefreshScript $name)
        $out | Should -Contain 'TOKEN 12345'
        Get-Mode $data | Should -Be '700'
        Get-Mode (Join-Path $data 'TSheets.Auth') | Should -Be '700'
        Get-Mode (Join-Path $data 'TSheets.Auth/locks') | Should -Be '700'
        $files = @(Get-ChildItem -LiteralPath (Join-Path $data 'TSheets.Auth/locks') -File)
        $files.Name | Should -Contain $lockName
        foreach ($file in $files) { Get-Mode $file.FullName | Should -Be '600' -Because $file.Name }
        (Get-Content -LiteralPath (Join-Path $data "TSheets.Auth/locks/$lockName") -Raw) | Should -Match '^1 \S+ [0-9a-f]{16}$'
    }

    It 'never writes through a planted "locks -> elsewhere" link holding "<id>.lock -> victim": refreshes without the lock and says so' {
        $victim = New-Victim
        $module = Join-Path $data 'TSheets.Auth'
        New-Item -ItemType Directory -Path $module -Force | Out-Null
        & chmod 777 $module   # as the umask bug left it
        $elsewhere = Join-Path $TestDrive "elsewhere-$name"
        New-Item -ItemType Directory -Path $elsewhere | Out-Null
        if ($attacker) { & chown $attacker $elsewhere }
        New-PlantedLink (Join-Path $elsewhere $lockName) $victim
        New-PlantedLink (Join-Path $module 'locks') $elsewhere

        $out = Invoke-UnderUmask000 $data (Get-RefreshScript $name)
        $out | Should -Contain 'TOKEN 12345'
        Get-Content -LiteralPath $victim -Raw | Should -BeExactly 'root-only: keep me'
        ($out -join "`n") | Should -Match "VERBOSE Going on without the cross-process lock for '$name' in vault 'Ops': '[^']*locks' is a symbolic link"
        Get-Mode $victim | Should -Be '600'
        @(Get-ChildItem -LiteralPath $elsewhere -Force).Name | Should -Be @($lockName) -Because 'nothing is created through the link'
        (Get-EmulatorStats $emulator).grants.refresh_token | Should -Be 1
    }

    It 'never writes through "<id>.lock -> victim" planted in a locks folder left open (0777): makes the folder private and refreshes without that lock' {
        $victim = New-Victim
        $locks = Join-Path $data 'TSheets.Auth/locks'
        New-Item -ItemType Directory -Path $locks -Force | Out-Null
        & chmod 777 (Join-Path $data 'TSheets.Auth') $locks
        New-PlantedLink (Join-Path $locks $lockName) $victim

        $out = Invoke-UnderUmask000 $data (Get-RefreshScript $name)
        $out | Should -Contain 'TOKEN 12345'
        Get-Content -LiteralPath $victim -Raw | Should -BeExactly 'root-only: keep me'
        ($out -join "`n") | Should -Match "VERBOSE Going on without the cross-process lock for '$name' in vault 'Ops': '[^']*$lockName' is a symbolic link"
        Get-Mode $victim | Should -Be '600'
        Get-Mode $locks | Should -Be '700'
        Get-Mode (Join-Path $data 'TSheets.Auth') | Should -Be '700'
        (Get-EmulatorStats $emulator).grants.refresh_token | Should -Be 1
    }

    It 'refuses a TSheets.Auth folder another user owns even as root, whose chmod would succeed: creates nothing in it' -Skip:(-not $secondUser) {
        $module = Join-Path $data 'TSheets.Auth'
        New-Item -ItemType Directory -Path $module -Force | Out-Null
        & chown $attacker $module
        & chmod 777 $module

        $out = Invoke-UnderUmask000 $data (Get-RefreshScript $name)
        $out | Should -Contain 'TOKEN 12345'
        @(Get-ChildItem -LiteralPath $module -Force) | Should -BeNullOrEmpty
        ($out -join "`n") | Should -Match "VERBOSE Going on without the cross-process lock for '$name' in vault 'Ops': '[^']*TSheets\.Auth' belongs to another user \(uid \d+\)"
        Get-Mode $module | Should -Be '777' -Because 'another user''s folder is not touched'
        (Get-EmulatorStats $emulator).grants.refresh_token | Should -Be 1
    }

    It 'checks at every refresh, not once per process: a link planted between two refreshes of one process is not written through' {
        $victim = New-Victim
        $module = Join-Path $data 'TSheets.Auth'
        $elsewhere = Join-Path $TestDrive "later-$name"
        $plant = @"
Move-Item -LiteralPath '$module/locks' -Destination '$module/locks.moved'
New-Item -ItemType Directory -Path '$elsewhere' | Out-Null
New-Item -ItemType SymbolicLink -Path '$elsewhere/$lockName' -Target '$victim' | Out-Null
New-Item -ItemType SymbolicLink -Path '$module/locks' -Target '$elsewhere' | Out-Null
"@
        $out = Invoke-UnderUmask000 $data ((Get-RefreshScript $name) + "`n'FIRST DONE'`n" + $plant + "`n" + (Get-RefreshScript $name))
        @($out | Where-Object { $_ -eq 'TOKEN 12345' }).Count | Should -Be 2
        Get-Content -LiteralPath $victim -Raw | Should -BeExactly 'root-only: keep me'
        $text = $out -join "`n"
        $text | Should -Match "(?s)FIRST DONE.*VERBOSE Going on without the cross-process lock for '$name' in vault 'Ops': '[^']*locks' is a symbolic link"
        $text | Should -Not -Match "(?s)VERBOSE Going on without.*FIRST DONE" -Because 'the first refresh had its lock'
        (Get-Content -LiteralPath (Join-Path $module "locks.moved/$lockName") -Raw) | Should -Match '^1 \S+ [0-9a-f]{16}$' -Because 'the first refresh wrote its record in the real folder'
    }
}
