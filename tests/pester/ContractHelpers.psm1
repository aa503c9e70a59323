# Reads the public contract (tests/contract/interface.md, a copy of ../shared/docs/interface.md) into
# data Module.Tests.ps1 checks the built module against: every cmdlet, its parameter sets, each
# parameter's type, mandatory flag, position and allowed values, and the error IDs.
#
# The grammar is the contract's own: syntax lines in backticks, `Verb-Noun -Param <type>
# [-Optional <type>] [-Switch] [[-Positional] <type>] [-Choice A|B]`; Connect-TSheets' sets as
# bullets, "- `SetName` (default): `-Param <type>` (mandatory) `[-Other]`", after the parameters
# "all with" them; a parameter named without a type is one of the shared parameters listed at the
# top (with their types), or else a switch (unless only "(mandatory)" is said of it: type unknown).
Set-StrictMode -Version 3.0

function Get-ContractPath { Join-Path $PSScriptRoot '../contract/interface.md' }

# The parameters of one backticked fragment, in order. $Annotated: the fragment is followed by
# "(mandatory)", which makes even a parameter named without a type mandatory.
function ConvertFrom-SyntaxFragment([string] $Text, [bool] $Annotated, [hashtable] $SharedTypes) {
    $element = '\G\s*(?:' +
    '\[\[-(?<optpos>\w+)\]\s*<(?<optpostype>[^>]+)>\]' + '|' +
    '\[-(?<manpos>\w+)\]\s*<(?<manpostype>[^>]+)>' + '|' +
    '\[-(?<opt>\w+)(?:\s+<(?<opttype>[^>]+)>|\s+(?<optset>\w+(?:\|\w+)+))?\]' + '|' +
    '-(?<man>\w+)(?:\s+<(?<mantype>[^>]+)>|\s+(?<manset>\w+(?:\|\w+)+))?' + ')'
    $parameters = [System.Collections.Generic.List[object]]::new()
    $at = 0
    $position = 0
    while ($at -lt $Text.TrimEnd().Length) {
        $m = [regex]::new($element).Match($Text, $at)
        if (-not $m.Success -or $m.Length -eq 0) { return $null }   # not a syntax fragment (an example, say)
        $at += $m.Length
        $g = $m.Groups
        $kind = @('optpos', 'manpos', 'opt', 'man').Where({ $g[$_].Success })[0]
        $name = $g[$kind].Value
        $type = if ($g["$($kind)type"].Success) { $g["$($kind)type"].Value }
        $values = if ($g["$($kind)set"].Success) { $g["$($kind)set"].Value -split '\|' }
        $typed = $type -or $values
        $isPositional = $kind -in @('optpos', 'manpos')
        # Named without a type: a shared parameter, or a switch; "`-ClientId` (mandatory)" says nothing of its type.
        if (-not $typed) { $type = if ($SharedTypes.ContainsKey($name)) { $SharedTypes[$name] } elseif (-not $Annotated) { 'switch' } }
        if ($values) { $type = 'string' }
        $parameters.Add([pscustomobject]@{
                Name      = $name
                Type      = $type
                Values    = @($values)
                Mandatory = $kind -eq 'manpos' -or ($kind -eq 'man' -and ($typed -or $Annotated))
                Position  = if ($isPositional) { ($position++) } else { $null }
            })
    }
    , $parameters
}

# The contract as data: Shared (name -> type), Cmdlets (name, default set, sets of parameters),
# NetworkCmdlets (those that take the proxy parameters), ErrorIds.
function Read-Contract([string] $Path = (Get-ContractPath)) {
    $text = [IO.File]::ReadAllText($Path) -replace "`r`n", "`n"
    $shared = @{}
    $sharedList = [regex]::Match($text, '(?s)Parameters shared by several cmdlets:(.*?)## Output types').Groups[1].Value
    foreach ($m in [regex]::Matches($sharedList, '`-(\w+)(?: <([^>]+)>)?`')) {
        if (-not $shared.ContainsKey($m.Groups[1].Value)) { $shared[$m.Groups[1].Value] = if ($m.Groups[2].Success) { $m.Groups[2].Value } else { 'switch' } }
    }
    $proxyLine = [regex]::Match($text, '(?s)`-Proxy <Uri>`.*?reach the network \(([^)]*)\)').Groups[1].Value
    $network = @([regex]::Matches($proxyLine, '`([A-Z]\w+-TSheets\w*)`').ForEach({ $_.Groups[1].Value }))

    $cmdlets = foreach ($section in [regex]::Matches($text, '(?ms)^### (\S+)\n(.*?)(?=^##)')) {
        $name = $section.Groups[1].Value
        $body = $section.Groups[2].Value
        $sets = [System.Collections.Generic.List[object]]::new()
        $default = $null
        # Syntax lines: a backticked fragment that starts with the cmdlet's own name.
        foreach ($m in [regex]::Matches($body, "``$([regex]::Escape($name))((?: [^``]*)?)``")) {
            $parameters = ConvertFrom-SyntaxFragment $m.Groups[1].Value $false $shared
            if ($null -ne $parameters) { $sets.Add([pscustomobject]@{ Name = $null; Parameters = $parameters }) }
        }
        # Named sets as bullets (Connect-TSheets), each with the parameters the paragraph before says all have.
        $allWith = [regex]::Match($body, '(?s)Parameter sets, all with (.*?):\n- ')
        if ($allWith.Success) {
            $common = Get-AnnotatedParameters $allWith.Groups[1].Value $shared
            foreach ($bullet in [regex]::Matches($body, '(?m)^- `(\w+)`( \(default\))?: (.*)$')) {
                if ($bullet.Groups[2].Success) { $default = $bullet.Groups[1].Value }
                $own = Get-AnnotatedParameters $bullet.Groups[3].Value $shared
                $sets.Add([pscustomobject]@{ Name = $bullet.Groups[1].Value; Parameters = @($common) + @($own) })
            }
        }
        [pscustomobject]@{ Name = $name; DefaultSet = $default; Sets = $sets }
    }

    $errorText = [regex]::Match($text, '(?s)## Error IDs\n.*?inner exception:(.*?)Parameter validation').Groups[1].Value
    $errorIds = @([regex]::Matches($errorText, '`([A-Z][A-Za-z]+)`').ForEach({ $_.Groups[1].Value }) | Select-Object -Unique)

    [pscustomobject]@{ Shared = $shared; Cmdlets = @($cmdlets); NetworkCmdlets = $network; ErrorIds = $errorIds }
}

# Every parameter fragment in a stretch of prose: "`-RedirectUri <Uri>` (mandatory) `[-NoBrowser]`".
function Get-AnnotatedParameters([string] $Prose, [hashtable] $SharedTypes) {
    foreach ($m in [regex]::Matches($Prose, '`(\[?-[^`]+)`(\s*\((?:all )?mandatory\))?')) {
        $parameters = ConvertFrom-SyntaxFragment $m.Groups[1].Value $m.Groups[2].Success $SharedTypes
        if ($null -ne $parameters) { $parameters }
    }
}

# The .NET type a contract type name means ('switch' is a SwitchParameter).
function Resolve-ContractType([string] $Name) {
    $known = @{ switch = [switch]; string = [string]; 'string[]' = [string[]]; int = [int]; object = [object]; Uri = [uri]
        SecureString = [securestring]; DateTimeOffset = [DateTimeOffset]; IDictionary = [System.Collections.IDictionary]
        PSCredential = [pscredential]; TSheetsToken = [TSheets.Auth.TSheetsToken] }
    if (-not $known.ContainsKey($Name)) { throw "The contract names a type this parser does not know: <$Name>." }
    $known[$Name]
}

# Where the loaded module differs from the contract, one line each; nothing when it meets it.
function Compare-ModuleToContract($Contract) {
    $commands = @{}
    foreach ($command in Get-Command -Module TSheets.Auth) { $commands[$command.Name] = $command }
    foreach ($cmdlet in $Contract.Cmdlets) {
        $command = $commands[$cmdlet.Name]
        if (-not $command) { "$($cmdlet.Name) is not exported"; continue }
        if ($cmdlet.DefaultSet -and $command.DefaultParameterSet -ne $cmdlet.DefaultSet) { "$($cmdlet.Name)'s default set is $($command.DefaultParameterSet), not $($cmdlet.DefaultSet)" }
        # Each of the module's sets as name -> parameter (hashtables: this runs for every parameter the contract names).
        $sets = @($command.ParameterSets | ForEach-Object { $map = @{}; foreach ($q in $_.Parameters) { $map[$q.Name] = $q }; [pscustomobject]@{ Name = $_.Name; Map = $map } })
        foreach ($set in $cmdlet.Sets) {
            $where = if ($set.Name) { "$($cmdlet.Name) [$($set.Name)]" } else { $cmdlet.Name }
            $named = if ($set.Name) { $sets.Where({ $_.Name -eq $set.Name }) }
            if ($set.Name -and -not $named) { "$where`: no such parameter set"; continue }
            $lineMandatory = @($set.Parameters.Where({ $_.Mandatory }).ForEach({ $_.Name }))
            if (-not $sets.Where({ $map = $_.Map; -not $lineMandatory.Where({ -not $map.ContainsKey($_) }) })) {
                "$where`: no parameter set takes all of -$($lineMandatory -join ', -')"
            }
            foreach ($p in $set.Parameters) {
                $metadata = $command.Parameters[$p.Name]
                if (-not $metadata) { "$where -$($p.Name): no such parameter"; continue }
                if ($p.Type -and $metadata.ParameterType -ne (Resolve-ContractType $p.Type)) { "$where -$($p.Name): type $($metadata.ParameterType), not <$($p.Type)>" }
                $allowed = @($metadata.Attributes.Where({ $_ -is [System.Management.Automation.ValidateSetAttribute] }).ForEach({ $_.ValidValues }))
                foreach ($value in $p.Values) { if ($allowed -cnotcontains $value) { "$where -$($p.Name): does not accept $value" } }
                $taking = @($sets.Where({ $_.Map.ContainsKey($p.Name) }))
                $flags = @(($named ? @($named) : $taking).ForEach({ if ($_.Map.ContainsKey($p.Name)) { $_.Map[$p.Name].IsMandatory } }))
                if ($named -and $flags.Count -eq 0) { "$where -$($p.Name): not in this set" }
                elseif ($p.Mandatory -and $flags -contains $false) { "$where -$($p.Name): not mandatory" }
                # Optional in a named set: optional there. On a syntax line that stands for several sets
                # (Get-TSheetsToken's [-ForceRefresh] is mandatory in its own set): optional in one of them.
                elseif (-not $p.Mandatory -and ($named ? ($flags -contains $true) : -not $sets.Where({ -not ($_.Map.ContainsKey($p.Name) -and $_.Map[$p.Name].IsMandatory) }))) { "$where -$($p.Name): mandatory" }
                if ($null -ne $p.Position) {
                    $positions = @($taking.ForEach({ $_.Map[$p.Name].Position }) | Sort-Object -Unique)
                    if ("$positions" -ne "$($p.Position)") { "$where -$($p.Name): position $positions, not $($p.Position)" }
                }
            }
        }
    }
    foreach ($cmdlet in $Contract.NetworkCmdlets) {
        foreach ($name in 'Proxy', 'ProxyCredential', 'ProxyUseDefaultCredentials', 'NoProxy') {
            $metadata = if ($commands[$cmdlet]) { $commands[$cmdlet].Parameters[$name] }
            if (-not $metadata -or $metadata.ParameterType -ne (Resolve-ContractType $Contract.Shared[$name])) { "$cmdlet -$name`: missing, or not <$($Contract.Shared[$name])>" }
        }
    }
    $ids = [TSheets.Auth.TSheetsToken].Assembly.GetType('TSheets.Auth.Common.ErrorIds', $true)
    foreach ($id in $Contract.ErrorIds) {
        $field = $ids.GetField($id, [Reflection.BindingFlags] 'Public, NonPublic, Static')
        if (-not $field -or $field.GetRawConstantValue() -cne $id) { "error ID $($id): not among the module's (TSheets.Auth.Common.ErrorIds)" }
    }
}

Export-ModuleMember -Function Get-ContractPath, Read-Contract, Resolve-ContractType, Compare-ModuleToContract
