# The import-and-sign-in subset for Windows PowerShell 5.1 (.NET Framework), run by CI's Windows
# job after the build: module load (the assembly resolver binds System.Text.Json and its
# dependencies from the module folder), the URL, a code exchange against the emulator, and a token
# kept in a vault and read back in a new process. Written for Windows PowerShell 5.1 (no
# ProcessStartInfo.ArgumentList, no PowerShell 7 operators); PowerShell 7 runs it too.
BeforeAll {
    $root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $module = Join-Path $root 'out/TSheets.Auth'
    $configuration = if ($env:TSHEETS_TEST_CONFIGURATION) { $env:TSHEETS_TEST_CONFIGURATION } else { 'Release' }
    $desktop = $PSVersionTable.PSEdition -eq 'Desktop'

    # Never the developer's own settings: a throw-away profile for this process and its children.
    $testHome = Join-Path ([IO.Path]::GetTempPath()) "tsheets-desktop-$PID"
    foreach ($folder in 'AppData\Local', 'AppData\Roaming', '.local\share', '.config') { New-Item -ItemType Directory -Force -Path (Join-Path $testHome $folder) | Out-Null }
    $env:HOME = $testHome
    $env:USERPROFILE = $testHome
    $env:LOCALAPPDATA = Join-Path $testHome 'AppData\Local'
    $env:APPDATA = Join-Path $testHome 'AppData\Roaming'

    $dll = Join-Path $root "tests/TSheets.Emulator/bin/$configuration/net10.0/TSheets.Emulator.dll"
    $info = New-Object System.Diagnostics.ProcessStartInfo 'dotnet'
    $info.Arguments = "`"$dll`" --urls http://127.0.0.1:0 --parent-pid $PID"
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $emulatorProcess = [System.Diagnostics.Process]::Start($info)
    $line = $emulatorProcess.StandardOutput.ReadLineAsync()
    if (-not $line.Wait(60000) -or $line.Result -notmatch '^TSHEETS_EMULATOR_LISTENING (\S+)$') { throw "The emulator did not start: $($line.Result)" }
    $emulatorUrl = $Matches[1].TrimEnd('/')
    $baseUri = "$emulatorUrl/api/v1"

    function Invoke-Emulator([string] $Path, $Body) {
        Invoke-RestMethod -Method Post -Uri "$emulatorUrl$Path" -Body ($Body | ConvertTo-Json -Compress) -ContentType 'application/json' -TimeoutSec 30
    }

    $client = Invoke-Emulator '/_emulator/clients' @{ redirect_uri = 'https://app.example/callback' }
    $secret = ConvertTo-SecureString $client.client_secret -AsPlainText -Force
    Import-Module $module
}

AfterAll {
    try { Invoke-RestMethod -Method Post -Uri "$emulatorUrl/_emulator/shutdown" -TimeoutSec 5 | Out-Null } catch { }
    if ($emulatorProcess -and -not $emulatorProcess.WaitForExit(5000)) { $emulatorProcess.Kill() }
}

Describe "TSheets.Auth on $($PSVersionTable.PSEdition) PowerShell $($PSVersionTable.PSVersion)" {
    It 'imports without a load error, and installs the assembly resolver only on .NET Framework' {
        (Get-Module TSheets.Auth).ExportedCmdlets.Count | Should -Be 6
        $description = [System.Runtime.InteropServices.RuntimeInformation]::FrameworkDescription
        ($description -like '.NET Framework*') | Should -Be $desktop
    }

    It 'builds the authorization URL with PKCE' {
        $request = New-TSheetsAuthorizationUrl -ClientId $client.client_id -RedirectUri $client.redirect_uri -BaseUri $baseUri
        $request.Url.AbsoluteUri | Should -Match '&code_challenge=[A-Za-z0-9_-]{43}&code_challenge_method=S256$'
    }

    It 'exchanges a code with the emulator: System.Text.Json and its dependencies bind' {
        $request = New-TSheetsAuthorizationUrl -ClientId $client.client_id -RedirectUri $client.redirect_uri -BaseUri $baseUri
        $location = (Invoke-Emulator '/_emulator/authorize' @{ url = $request.Url.AbsoluteUri; decision = 'approve' }).location
        $token = $request | Connect-TSheets -ClientSecret $secret -RedirectedUrl $location -Name desktop -PassThru
        $token.UserId | Should -Be '12345'
        (Invoke-TSheetsRestMethod current_user -Name desktop).results.users.'12345'.id | Should -Be 12345
        if ($desktop) {
            # On .NET Framework these come from the module folder, bound by the resolver despite their
            # mismatched references (System.Memory wants System.Buffers 4.0.2.0, the folder has 4.0.3.0).
            foreach ($name in 'System.Text.Json', 'System.Memory', 'System.Buffers') {
                $loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq $name }
                $loaded | Should -Not -BeNullOrEmpty -Because "$name is needed for JSON"
            }
        }
    }

    It 'keeps the token in a SecretStore vault and reads it back in a new process' {
        $modules = $env:TSHEETS_TEST_PSMODULES
        if (-not $modules -or -not (Test-Path (Join-Path $modules 'Microsoft.PowerShell.SecretStore'))) {
            Set-ItResult -Skipped -Because 'TSHEETS_TEST_PSMODULES does not hold SecretManagement and SecretStore'
            return
        }
        $env:PSModulePath = $modules + [IO.Path]::PathSeparator + $env:PSModulePath
        Microsoft.PowerShell.SecretStore\Reset-SecretStore -Scope CurrentUser -Authentication None -PasswordTimeout -1 -Interaction None -Force -Confirm:$false -WarningAction SilentlyContinue
        Microsoft.PowerShell.SecretManagement\Register-SecretVault -Name Ops -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault -AllowClobber
        Get-TSheetsToken -Name desktop | Set-TSheetsToken -Vault Ops
        $shell = Join-Path $PSHOME $(if ($desktop) { 'powershell.exe' } elseif ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
        $output = & $shell -NoProfile -NonInteractive -Command "Import-Module '$module'; (Get-TSheetsToken -Name desktop -Vault Ops -NoRefresh).UserId"
        ($output -join "`n") | Should -Match '(?m)^12345$'
    }
}
