BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = Import-Module (Get-TestModulePath) -Force -PassThru
    $commands = $module.ExportedCmdlets.Values | Sort-Object Name
    $commonParameters = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Help for <_>' -ForEach @('New-TSheetsAuthorizationUrl', 'Connect-TSheets', 'Set-TSheetsToken', 'Get-TSheetsToken', 'Get-TSheetsConnection', 'Disconnect-TSheets', 'Invoke-TSheetsRestMethod') {
    BeforeAll {
        $help = Get-Help $_ -Full
        $command = Get-Command $_
    }

    It 'has a synopsis and a description of when to use it' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match ([regex]::Escape("$_ ["))   # not the generated syntax line
        ($help.description.Text -join ' ').Length | Should -BeGreaterThan 100
    }

    It 'describes every parameter, with its parameter sets and default' {
        $parameters = $command.Parameters.Keys | Where-Object { $commonParameters -notcontains $_ }
        foreach ($name in $parameters) {
            $entry = $help.parameters.parameter | Where-Object name -EQ $name
            $entry | Should -Not -BeNullOrEmpty -Because "-$name needs help"
            $text = $entry.description.Text -join ' '
            $text | Should -Match '\w{4,}.*\w{4,}' -Because "-$name needs a description"
            $text | Should -Match 'Parameter sets: ' -Because "-$name should say which set it belongs to"
            $entry.defaultValue | Should -Not -BeNullOrEmpty
        }
    }

    It 'has at least two examples with code and remarks' {
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        foreach ($example in $help.examples.example) {
            $example.code | Should -Match $_
            ($example.remarks.Text -join ' ') | Should -Not -BeNullOrEmpty
        }
    }

    It 'names its inputs, outputs and related links' {
        $help.inputTypes.inputType.type.name | Should -Not -BeNullOrEmpty
        $help.returnValues.returnValue.type.name | Should -Not -BeNullOrEmpty
        $help.relatedLinks.navigationLink.linkText | Should -Contain 'about_TSheets.Auth'
    }
}

Describe 'The help source cannot drift from the cmdlets' {
    It 'states real defaults taken from the cmdlet classes' {
        ((Get-Help Connect-TSheets -Parameter TimeoutSec).defaultValue) | Should -Be '300'
        ((Get-Help Invoke-TSheetsRestMethod -Parameter MaximumRetryCount).defaultValue) | Should -Be '3'
        ((Get-Help Get-TSheetsToken -Parameter Name).defaultValue) | Should -Be 'default'
    }

    It 'fails the build for a parameter without help' {
        $source = Join-Path $TestDrive 'help'
        Copy-Item -Path (Join-Path $PSScriptRoot '../../docs/help') -Destination $source -Recurse
        $file = Join-Path $source 'Get-TSheetsToken.md'
        (Get-Content $file -Raw) -replace '(?s)### -NoRefresh.*?(?=### |## INPUTS)', '' | Set-Content $file
        $layout = Join-Path $TestDrive 'copy/TSheets.Auth'
        New-Item -ItemType Directory -Path (Split-Path $layout) -Force | Out-Null
        Copy-Item -Path (Get-TestModulePath) -Destination $layout -Recurse
        $output = & (Get-PwshPath) -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot '../../tools/Build-Help.ps1') -ModulePath $layout -SourcePath $source 2>&1
        $LASTEXITCODE | Should -Be 1
        "$output" | Should -Match 'Get-TSheetsToken: parameter -NoRefresh has no help'
    }
}

Describe 'The about topic' {
    It 'ships in en-US and explains flows, storage, refresh, automation and security' {
        $path = Join-Path (Get-TestModulePath) 'en-US/about_TSheets.Auth.help.txt'
        Test-Path $path | Should -BeTrue
        $text = Get-Content $path -Raw
        foreach ($word in 'SHORT DESCRIPTION', 'LONG DESCRIPTION', 'Vault', 'refresh', 'InteractionRequired', 'SecureString') {
            $text | Should -Match $word
        }
    }

    It 'is found by Get-Help when the module is installed' {
        $text = (Invoke-FreshPwsh "`$env:PSModulePath = '$(Split-Path (Get-TestModulePath))' + [IO.Path]::PathSeparator + `$env:PSModulePath; Get-Help about_TSheets.Auth | Out-String -Width 200").Output -join "`n"
        $text | Should -Match 'about_TSheets.Auth'
        $text | Should -Match 'SHORT DESCRIPTION'
    }
}

Describe 'Cmdlet metadata' {
    It 'uses approved verbs only' {
        $approved = (Get-Verb).Verb
        $commands | ForEach-Object { $approved | Should -Contain $_.Verb }
    }

    It 'declares an output type on every cmdlet that writes output' {
        $commands | Where-Object Name -NE 'Disconnect-TSheets' | ForEach-Object { $_.OutputType | Should -Not -BeNullOrEmpty -Because $_.Name }
        (Get-Command Connect-TSheets).OutputType.Name | Should -Contain 'TSheets.Auth.TSheetsToken'   # -PassThru
        (Get-Command Set-TSheetsToken).OutputType.Name | Should -Contain 'TSheets.Auth.TSheetsToken'  # -PassThru
    }

    It 'supports -WhatIf on every cmdlet that changes stored tokens' {
        foreach ($name in 'Set-TSheetsToken', 'Disconnect-TSheets') {
            (Get-Command $name).Parameters.Keys | Should -Contain 'WhatIf'
        }
    }

    It 'exports exactly the cmdlets the assembly defines' {
        $defined = [TSheets.Auth.Commands.TSheetsCmdlet].Assembly.GetTypes() |
            ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { "$($_.VerbName)-$($_.NounName)" } | Sort-Object
        $manifest = Import-PowerShellDataFile (Join-Path (Get-TestModulePath) 'TSheets.Auth.psd1')
        ($manifest.CmdletsToExport | Sort-Object) | Should -Be $defined
        ($commands.Name | Sort-Object) | Should -Be $defined
    }

    It 'declares the Gallery metadata in a manifest that passes Test-ModuleManifest' {
        $manifest = Test-ModuleManifest (Join-Path (Get-TestModulePath) 'TSheets.Auth.psd1')
        $manifest.Tags | Should -Be @('TSheets', 'QuickBooksTime', 'OAuth2', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
        $manifest.ProjectUri | Should -Not -BeNullOrEmpty
        $manifest.LicenseUri | Should -Not -BeNullOrEmpty
        $manifest.ReleaseNotes | Should -Not -BeNullOrEmpty
        $manifest.Description.Length | Should -BeGreaterThan 100
        $manifest.ExportedFormatFiles | Should -Not -BeNullOrEmpty
        Test-Path (Join-Path (Get-TestModulePath) 'LICENSE') | Should -BeTrue
        $manifest.Version | Should -Be ([version]((Select-Xml -Path (Join-Path $PSScriptRoot '../../Directory.Build.props') -XPath '//Version').Node.InnerText))
    }
}

Describe 'Views' {
    BeforeAll {
        $secret = 'S.7__0123456789abcdef0123456789abcdef01234567'
        $refresh = 'fedcba9876543210fedcba9876543210fedcba98'
        $clientSecret = 'client-secret-0123456789'
        Set-TSheetsToken -Name view-test -AccessToken ($secret | ConvertTo-TestSecureString) -RefreshToken ($refresh | ConvertTo-TestSecureString) `
            -ClientId view-client -ClientSecret ($clientSecret | ConvertTo-TestSecureString) -ExpiresOn ([DateTimeOffset]::UtcNow.AddDays(3).AddHours(2))
        $token = Get-TSheetsToken -Name view-test
    }

    It 'shows name, user, company, expiry, time left, refresh and vault in the table' {
        $table = $token | Format-Table | Out-String -Width 200
        $table | Should -Match 'Name\s+UserId\s+CompanyId\s+ExpiresOn\s+TimeLeft\s+CanRefresh\s+Vault'
        $table | Should -Match 'view-test.*3d [12]h\s+True'
    }

    It 'shows no secret in any view, Format-List * and ConvertTo-Json included' {
        $all = @(
            ($token | Format-Table | Out-String -Width 300)
            ($token | Format-List | Out-String -Width 300)
            ($token | Format-List * -Force | Out-String -Width 300)
            ($token | ConvertTo-Json -Depth 5)
            ($token | Select-Object * | Out-String -Width 300)
            ("$token")
        ) -join "`n"
        $all | Should -Not -Match ([regex]::Escape($secret))
        $all | Should -Not -Match $refresh
        $all | Should -Not -Match $clientSecret
        ($token | Format-List * | Out-String) | Should -Match 'AccessToken\s*:\s*System.Security.SecureString'
    }

    It 'has a list and a table view for AuthorizationRequest' {
        $request = New-TSheetsAuthorizationUrl -ClientId c -RedirectUri 'https://app.example/cb'
        ($request | Out-String) | Should -Match 'Url\s*:\s*https://rest.tsheets.com'
        ($request | Format-Table | Out-String -Width 300) | Should -Match 'ClientId\s+RedirectUri\s+Url'
    }
}

Describe 'Tab completion' {
    It 'completes connection names for -Name' {
        Set-TSheetsToken -Name 'complete-me-alpha' -AccessToken ('S.7__x' | ConvertTo-TestSecureString)
        Set-TSheetsToken -Name 'complete-me-beta' -AccessToken ('S.7__y' | ConvertTo-TestSecureString)
        $line = 'Get-TSheetsToken -Name complete-me'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('complete-me-alpha', 'complete-me-beta')
        $line = 'Disconnect-TSheets complete-me-b'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('complete-me-beta')
    }

    It 'completes registered vault names for -Vault without loading SecretManagement' {
        $registry = Join-Path $TestDrive 'home/.secretmanagement/secretvaultregistry'
        New-Item -ItemType Directory -Path $registry -Force | Out-Null
        '{"DefaultVaultName":"Ops","Vaults":{"Ops":{"ModuleName":"Microsoft.PowerShell.SecretStore"},"Other":{"ModuleName":"Az.KeyVault"}}}' |
            Set-Content (Join-Path $registry 'vaultinfo')
        # In a runspace of its own: modules are per runspace, and an earlier test file in this process
        # may have imported SecretManagement here.
        $savedHome = $env:HOME
        $shell = [PowerShell]::Create()
        try {
            $env:HOME = Join-Path $TestDrive 'home'
            $null = $shell.AddScript("Import-Module '$(Get-TestModulePath)'; " + {
                    foreach ($line in 'Get-TSheetsToken -Vault O', 'Connect-TSheets -Vault Op') {
                        'COMPLETED ' + ((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText -join ',')
                    }
                    'LOADED ' + [bool](Get-Module Microsoft.PowerShell.SecretManagement)
                })
            $output = @($shell.Invoke())
        }
        finally { $env:HOME = $savedHome; $shell.Dispose() }
        $output | Should -Be @('COMPLETED Ops,Other', 'COMPLETED Ops', 'LOADED False')
    }
}

Describe 'Load hygiene' {
    It 'loads no assembly but its own on import in PowerShell 7 (beyond the host''s own)' {
        # The measuring expression itself makes PowerShell load its binder (Microsoft.CSharp) the
        # first time: evaluate it once before taking the 'before' list. PowerShell also loads more
        # of its own and the runtime's assemblies now and then while importing; those are the host's.
        $text = (Invoke-FreshPwsh @"
`$null = [AppDomain]::CurrentDomain.GetAssemblies().GetName().Name
`$before = [AppDomain]::CurrentDomain.GetAssemblies().GetName().Name
Import-Module '$(Get-TestModulePath)'
`$new = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$before -notcontains `$_.GetName().Name }
`$runtime = [System.Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory()
'OURS ' + ((`$new | Where-Object { `$_.GetName().Name -like 'TSheets.*' } | ForEach-Object { `$_.GetName().Name } | Sort-Object) -join ',')
'FOREIGN ' + ((`$new | Where-Object { `$_.GetName().Name -notlike 'TSheets.*' -and -not `$_.Location.StartsWith(`$PSHOME) -and -not `$_.Location.StartsWith(`$runtime) } | ForEach-Object { `$_.Location }) -join ',')
'NEW ' + ((`$new | ForEach-Object { `$_.GetName().Name }) -join ',')
"@ -NoImport).Output -join "`n"
        $text | Should -Match '(?m)^OURS TSheets\.Auth$'       # not even Core: it loads on first use
        $text | Should -Match '(?m)^FOREIGN $'                 # nothing shipped beside it is loaded
        $text | Should -Not -Match 'NEW .*System\.Text\.Json'  # JSON and HTTP only when used
        $text | Should -Not -Match 'NEW .*System\.Net\.Http'
    }

    It 'ships no PowerShell reference assembly' {
        Test-Path (Join-Path (Get-TestModulePath) 'System.Management.Automation.dll') | Should -BeFalse
    }

    It 'ships System.Text.Json and its dependencies for Windows PowerShell, computed from the build output' {
        $files = (Get-ChildItem (Get-TestModulePath) -Filter *.dll).Name
        $files | Should -Contain 'System.Text.Json.dll'
        $files | Should -Contain 'System.Memory.dll'
        $files | Should -Not -Contain 'System.Management.Automation.dll'
    }
}

Describe 'A Gallery round trip' {
    It 'publishes to a local repository, installs from it, and imports by name in a clean pwsh' {
        $repository = Join-Path $TestDrive 'gallery'
        $installed = Join-Path $TestDrive 'installed'
        New-Item -ItemType Directory -Path $repository, $installed | Out-Null
        $name = "TSheetsAuthTest$PID"
        # PSResourceGet may write a NuGet.Config in the process's current directory.
        $savedDirectory = [Environment]::CurrentDirectory
        [Environment]::CurrentDirectory = $TestDrive
        Register-PSResourceRepository -Name $name -Uri $repository -Trusted
        try {
            Publish-PSResource -Path (Get-TestModulePath) -Repository $name
            $package = Get-ChildItem $repository -Filter *.nupkg
            $package.Name | Should -Be "TSheets.Auth.$((Get-Module TSheets.Auth).Version).nupkg"
            Save-PSResource -Name TSheets.Auth -Repository $name -Path $installed -TrustRepository
        }
        finally {
            Unregister-PSResourceRepository -Name $name
            [Environment]::CurrentDirectory = $savedDirectory
        }

        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes(@"
`$env:PSModulePath = '$installed'
Import-Module TSheets.Auth -ErrorAction Stop
'BASE ' + (Get-Module TSheets.Auth).ModuleBase
'URL ' + (New-TSheetsAuthorizationUrl -ClientId c -RedirectUri 'https://app.example/cb' -State s).Url
"@))
        $text = (& (Get-PwshPath) -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1) -join "`n"
        $text | Should -Match ([regex]::Escape("BASE $installed"))
        $text | Should -Match 'URL https://rest.tsheets.com/api/v1/authorize\?response_type=code&client_id=c&'
    }
}
