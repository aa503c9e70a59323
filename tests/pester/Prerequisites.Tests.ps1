# The test command's own set-up (tools/Install-TestPrerequisites.ps1): what it says when it cannot
# install. Run in a child pwsh with its test-only variables pretending programs are missing, that
# this is not root and sudo -n is refused, or that there is no apt-get; nothing is ever installed here.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script = (Resolve-Path (Join-Path $PSScriptRoot '../../tools/Install-TestPrerequisites.ps1')).Path

    function Invoke-Prerequisites([hashtable] $Pretend) {
        $names = 'TSHEETS_TEST_PRETEND_MISSING', 'TSHEETS_TEST_PRETEND_NOT_ROOT', 'TSHEETS_TEST_PRETEND_NO_APT'
        foreach ($name in $names) { [Environment]::SetEnvironmentVariable($name, $Pretend[$name]) }
        try {
            $lines = & (Get-PwshPath) -NoProfile -NonInteractive -File $script 2>&1 | ForEach-Object { "$_" }
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Text = $lines -join "`n"; Lines = @($lines) }
        }
        finally {
            foreach ($name in $names) { [Environment]::SetEnvironmentVariable($name, $null) }
        }
    }
}

# On Windows the script checks nothing: the tests that drive these programs do not run there.
Describe 'The test command installs what its tests drive, or says how' -Skip:$IsWindows {
    It 'says nothing and goes on when every program is there' {
        $result = Invoke-Prerequisites @{}
        $result.ExitCode | Should -Be 0 -Because $result.Text
        $result.Text | Should -BeNullOrEmpty
    }

    It 'stops, without root or sudo -n, printing the one command with exactly the missing packages' {
        $result = Invoke-Prerequisites @{ TSHEETS_TEST_PRETEND_MISSING = 'tmux,squid,htpasswd'; TSHEETS_TEST_PRETEND_NOT_ROOT = '1' }
        $result.ExitCode | Should -Be 1
        $result.Text | Should -Match 'lacks: tmux, squid, htpasswd\.'
        @($result.Lines | Where-Object { $_ -match 'apt-get' }) | Should -Be @('    sudo apt-get install -y tmux squid apache2-utils')
        $result.Text | Should -Not -Match 'installing'
    }

    It 'names a package once when two of its programs are missing (squid and its basic_ncsa_auth helper)' {
        $result = Invoke-Prerequisites @{ TSHEETS_TEST_PRETEND_MISSING = 'basic_ncsa_auth,squid,chromedriver'; TSHEETS_TEST_PRETEND_NOT_ROOT = '1' }
        $result.ExitCode | Should -Be 1
        @($result.Lines | Where-Object { $_ -match 'apt-get' }) | Should -Be @('    sudo apt-get install -y chromium-driver squid')
    }

    It 'stops without apt-get, naming what is missing' {
        $result = Invoke-Prerequisites @{ TSHEETS_TEST_PRETEND_MISSING = 'chromium'; TSHEETS_TEST_PRETEND_NO_APT = '1' }
        $result.ExitCode | Should -Be 1
        $result.Text | Should -Match 'lacks: chromium\. There is no apt-get here'
        $result.Text | Should -Not -Match 'sudo apt-get install'
    }
}
