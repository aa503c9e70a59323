<#
.SYNOPSIS
    Generates the module's MAML help (en-US/TSheets.Auth.dll-Help.xml) from docs/help/*.md,
    checked against the real cmdlet metadata, and copies the about topic.
.DESCRIPTION
    platyPS is not available here, so this is the build's own generator. It imports the laid-out
    module and, for every exported cmdlet, reads docs/help/<Cmdlet>.md (SYNOPSIS, DESCRIPTION,
    EXAMPLES, PARAMETERS, INPUTS, OUTPUTS, NOTES, RELATED LINKS). It fails the build when a
    cmdlet has no help file, a parameter has no description, the help describes a parameter
    the cmdlet does not have, or the cmdlet's HelpUri is not its Markdown help in the repository
    (the manifest's ProjectUri, then blob/main/docs/help/<Cmdlet>.md), which is written as the
    first related link ("Online Version:") so Get-Help -Online opens it. Syntax, parameter sets, positions, pipeline input, wildcard support
    and default values come from the metadata and the cmdlet class, so help cannot drift.
    A parameter section may end with a line "Default value: <text>" to describe a computed default.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SourcePath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
$module = Import-Module $ModulePath -PassThru -Force
$commonParameters = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
$problems = [System.Collections.Generic.List[string]]::new()

function Read-HelpMarkdown([string] $Path) {
    $sections = [ordered]@{}
    $current = $null
    $sub = $null
    $inCode = $false
    foreach ($line in Get-Content -LiteralPath $Path) {
        if ($line -match '^```') { $inCode = -not $inCode }
        if (-not $inCode -and $line -match '^## (.+)$') {
            $current = $Matches[1].Trim(); $sub = $null
            $sections[$current] = [ordered]@{ '' = [System.Collections.Generic.List[string]]::new() }
            continue
        }
        if (-not $inCode -and $line -match '^### (.+)$' -and $current) {
            $sub = $Matches[1].Trim()
            $sections[$current][$sub] = [System.Collections.Generic.List[string]]::new()
            continue
        }
        if ($current) { $sections[$current][$(if ($sub) { $sub } else { '' })].Add($line) }
    }
    $sections
}

# Paragraphs of a block of markdown lines (blank-line separated; list items kept as lines).
function Get-Paragraphs([string[]] $Lines) {
    $paragraphs = [System.Collections.Generic.List[string]]::new()
    $buffer = [System.Collections.Generic.List[string]]::new()
    foreach ($line in $Lines + '') {
        if ($line.Trim() -eq '') {
            if ($buffer.Count) { $paragraphs.Add(($buffer -join ' ').Trim()); $buffer.Clear() }
        }
        elseif ($line -match '^\s*[-*] ') {
            if ($buffer.Count) { $paragraphs.Add(($buffer -join ' ').Trim()); $buffer.Clear() }
            $buffer.Add($line.Trim())
        }
        else { $buffer.Add($line.Trim()) }
    }
    $paragraphs | ForEach-Object { $_ -replace '`([^`]+)`', '$1' }
}

function Write-Paragraphs([System.Xml.XmlWriter] $Xml, [string[]] $Paragraphs) {
    foreach ($paragraph in $Paragraphs) { $Xml.WriteElementString('maml', 'para', 'http://schemas.microsoft.com/maml/2004/10', $paragraph) }
}

function Get-DefaultText($CommandType, [System.Management.Automation.ParameterMetadata] $Parameter, [string[]] $Lines) {
    $stated = $Lines | Where-Object { $_ -match '^Default value:\s*(.+)$' } | Select-Object -Last 1
    if ($stated) { return ($stated -replace '^Default value:\s*', '').Trim() }
    $instance = [Activator]::CreateInstance($CommandType)
    $value = $CommandType.GetProperty($Parameter.Name).GetValue($instance)
    if ($value -is [System.Management.Automation.SwitchParameter]) { return "$($value.IsPresent)" }
    if ($null -eq $value) { return 'None' }
    "$value"
}

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$output = Join-Path $ModulePath 'en-US'
New-Item -ItemType Directory -Path $output -Force | Out-Null
$xml = [System.Xml.XmlWriter]::Create((Join-Path $output 'TSheets.Auth.dll-Help.xml'), $settings)
$maml = 'http://schemas.microsoft.com/maml/2004/10'
$commandNs = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$devNs = 'http://schemas.microsoft.com/maml/dev/2004/10'
$xml.WriteStartDocument()
$xml.WriteStartElement('helpItems', 'http://msh')
$xml.WriteAttributeString('schema', 'maml')

$projectUri = "$($module.PrivateData.PSData.ProjectUri)".TrimEnd('/')
if (-not $projectUri) { $problems.Add('the manifest has no PrivateData.PSData.ProjectUri') }

foreach ($command in $module.ExportedCmdlets.Values | Sort-Object Name) {
    $onlineHelp = "$projectUri/blob/main/docs/help/$($command.Name).md"
    if ($command.HelpUri -ne $onlineHelp) { $problems.Add("$($command.Name): HelpUri is '$($command.HelpUri)', not '$onlineHelp'") }
    $source = Join-Path $SourcePath "$($command.Name).md"
    if (-not (Test-Path -LiteralPath $source)) { $problems.Add("$($command.Name): no help file $source"); continue }
    $help = Read-HelpMarkdown $source
    $missing = @('SYNOPSIS', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'RELATED LINKS') | Where-Object { -not $help.Contains($_) }
    if ($missing) { $missing | ForEach-Object { $problems.Add("$($command.Name): no '## $_' section") }; continue }

    $parameters = $command.Parameters.Values | Where-Object { $commonParameters -notcontains $_.Name }
    $documented = @($help['PARAMETERS'].Keys | Where-Object { $_ } | ForEach-Object { $_.TrimStart('-') })
    foreach ($parameter in $parameters) {
        if ($documented -notcontains $parameter.Name -or -not (Get-Paragraphs $help['PARAMETERS']["-$($parameter.Name)"])) {
            $problems.Add("$($command.Name): parameter -$($parameter.Name) has no help")
        }
    }
    foreach ($name in $documented) {
        if (-not $command.Parameters.ContainsKey($name)) { $problems.Add("$($command.Name): help describes -$name, which the cmdlet does not have") }
    }
    if (@($help['EXAMPLES'].Keys | Where-Object { $_ }).Count -lt 2) { $problems.Add("$($command.Name): fewer than two examples") }

    $xml.WriteStartElement('command', 'command', $commandNs)
    $xml.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $xml.WriteAttributeString('xmlns', 'dev', $null, $devNs)
    $xml.WriteStartElement('command', 'details', $commandNs)
    $xml.WriteElementString('command', 'name', $commandNs, $command.Name)
    $xml.WriteElementString('command', 'verb', $commandNs, $command.Verb)
    $xml.WriteElementString('command', 'noun', $commandNs, $command.Noun)
    $xml.WriteStartElement('maml', 'description', $maml); Write-Paragraphs $xml (Get-Paragraphs $help['SYNOPSIS']['']); $xml.WriteEndElement()
    $xml.WriteEndElement()
    $xml.WriteStartElement('maml', 'description', $maml); Write-Paragraphs $xml (Get-Paragraphs $help['DESCRIPTION']['']); $xml.WriteEndElement()

    function Write-Parameter([System.Management.Automation.CommandParameterInfo] $Info, [System.Management.Automation.ParameterMetadata] $Metadata, [bool] $InSyntax) {
        $lines = [string[]]$help['PARAMETERS']["-$($Metadata.Name)"]
        $sets = @($Metadata.ParameterSets.Keys)
        $setText = if ($sets -contains '__AllParameterSets') { 'All parameter sets' } else { $sets -join ', ' }
        $required = if ($InSyntax) { $Info.IsMandatory } else { @($Metadata.ParameterSets.Values | Where-Object IsMandatory).Count -gt 0 }
        $positions = @($Metadata.ParameterSets.Values | Where-Object { $_.Position -ge 0 } | ForEach-Object Position | Sort-Object -Unique)
        $position = if ($InSyntax) { if ($Info.Position -ge 0) { "$($Info.Position)" } else { 'named' } } elseif ($positions) { "$($positions[0])" } else { 'named' }
        $byValue = @($Metadata.ParameterSets.Values | Where-Object ValueFromPipeline).Count -gt 0
        $byName = @($Metadata.ParameterSets.Values | Where-Object ValueFromPipelineByPropertyName).Count -gt 0
        $pipeline = if ($byValue -and $byName) { 'True (ByValue, ByPropertyName)' } elseif ($byValue) { 'True (ByValue)' } elseif ($byName) { 'True (ByPropertyName)' } else { 'False' }
        $globbing = [bool]($Metadata.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
        $isSwitch = $Metadata.ParameterType -eq [System.Management.Automation.SwitchParameter]

        $xml.WriteStartElement('command', 'parameter', $commandNs)
        $xml.WriteAttributeString('required', "$required".ToLowerInvariant())
        $xml.WriteAttributeString('variableLength', 'false')
        $xml.WriteAttributeString('globbing', "$globbing".ToLowerInvariant())
        $xml.WriteAttributeString('pipelineInput', $pipeline)
        $xml.WriteAttributeString('position', $position)
        $xml.WriteAttributeString('aliases', $(if ($Metadata.Aliases.Count) { $Metadata.Aliases -join ', ' } else { 'none' }))
        $xml.WriteElementString('maml', 'name', $maml, $Metadata.Name)
        $xml.WriteStartElement('maml', 'description', $maml)
        # Get-Help runs a parameter's paragraphs together, so the set list joins the last one.
        $paragraphs = @(Get-Paragraphs ($lines | Where-Object { $_ -notmatch '^Default value:' }))
        if (-not $paragraphs) { $paragraphs = @('') }   # undocumented: already reported above
        $paragraphs[-1] = "$($paragraphs[-1]) Parameter sets: $setText.".Trim()
        Write-Paragraphs $xml $paragraphs
        $xml.WriteEndElement()
        if (-not ($InSyntax -and $isSwitch)) {
            $xml.WriteStartElement('command', 'parameterValue', $commandNs)
            $xml.WriteAttributeString('required', "$(-not $isSwitch)".ToLowerInvariant())
            $xml.WriteAttributeString('variableLength', 'false')
            $xml.WriteString($Metadata.ParameterType.Name)
            $xml.WriteEndElement()
        }
        $xml.WriteStartElement('dev', 'type', $devNs); $xml.WriteElementString('maml', 'name', $maml, $Metadata.ParameterType.FullName); $xml.WriteEndElement()
        $xml.WriteElementString('dev', 'defaultValue', $devNs, (Get-DefaultText $command.ImplementingType $Metadata $lines))
        $xml.WriteEndElement()
    }

    $xml.WriteStartElement('command', 'syntax', $commandNs)
    foreach ($set in $command.ParameterSets) {
        $xml.WriteStartElement('command', 'syntaxItem', $commandNs)
        $xml.WriteElementString('maml', 'name', $maml, $command.Name)
        foreach ($info in $set.Parameters | Where-Object { $commonParameters -notcontains $_.Name }) {
            Write-Parameter $info $command.Parameters[$info.Name] $true
        }
        $xml.WriteEndElement()
    }
    $xml.WriteEndElement()

    $xml.WriteStartElement('command', 'parameters', $commandNs)
    foreach ($parameter in $parameters | Sort-Object Name) { Write-Parameter $null $parameter $false }
    $xml.WriteEndElement()

    foreach ($kind in @(@{ Section = 'INPUTS'; Outer = 'inputTypes'; Inner = 'inputType' }, @{ Section = 'OUTPUTS'; Outer = 'returnValues'; Inner = 'returnValue' })) {
        $xml.WriteStartElement('command', $kind.Outer, $commandNs)
        foreach ($typeName in $help[$kind.Section].Keys | Where-Object { $_ }) {
            $xml.WriteStartElement('command', $kind.Inner, $commandNs)
            $xml.WriteStartElement('dev', 'type', $devNs); $xml.WriteElementString('maml', 'name', $maml, $typeName); $xml.WriteEndElement()
            $xml.WriteStartElement('maml', 'description', $maml); Write-Paragraphs $xml (Get-Paragraphs $help[$kind.Section][$typeName]); $xml.WriteEndElement()
            $xml.WriteEndElement()
        }
        $xml.WriteEndElement()
    }

    if ($help.Contains('NOTES')) {
        $xml.WriteStartElement('maml', 'alertSet', $maml); $xml.WriteStartElement('maml', 'alert', $maml)
        Write-Paragraphs $xml (Get-Paragraphs $help['NOTES']['']); $xml.WriteEndElement(); $xml.WriteEndElement()
    }

    $xml.WriteStartElement('command', 'examples', $commandNs)
    foreach ($title in $help['EXAMPLES'].Keys | Where-Object { $_ }) {
        $lines = [string[]]$help['EXAMPLES'][$title]
        $code = [System.Collections.Generic.List[string]]::new(); $remarks = [System.Collections.Generic.List[string]]::new(); $inCode = $false
        foreach ($line in $lines) {
            if ($line -match '^```') { $inCode = -not $inCode; continue }
            if ($inCode) { $code.Add($line) } else { $remarks.Add($line) }
        }
        $xml.WriteStartElement('command', 'example', $commandNs)
        $xml.WriteElementString('maml', 'title', $maml, "-------------------------- $title --------------------------")
        $xml.WriteElementString('dev', 'code', $devNs, ($code -join "`n"))
        $xml.WriteStartElement('dev', 'remarks', $devNs); Write-Paragraphs $xml (Get-Paragraphs $remarks); $xml.WriteEndElement()
        $xml.WriteEndElement()
    }
    $xml.WriteEndElement()

    $xml.WriteStartElement('command', 'relatedLinks', $commandNs)
    # First, so Get-Help -Online opens this help rather than another link's page.
    $xml.WriteStartElement('maml', 'navigationLink', $maml)
    $xml.WriteElementString('maml', 'linkText', $maml, 'Online Version:')
    $xml.WriteElementString('maml', 'uri', $maml, $onlineHelp)
    $xml.WriteEndElement()
    foreach ($line in $help['RELATED LINKS'][''] | Where-Object { $_ -match '^\s*- \[([^\]]+)\]\(([^)]*)\)' }) {
        $null = $line -match '^\s*- \[([^\]]+)\]\(([^)]*)\)'
        $xml.WriteStartElement('maml', 'navigationLink', $maml)
        $xml.WriteElementString('maml', 'linkText', $maml, $Matches[1])
        $xml.WriteElementString('maml', 'uri', $maml, $(if ($Matches[2] -match '^https?://') { $Matches[2] } else { '' }))
        $xml.WriteEndElement()
    }
    $xml.WriteEndElement()
    $xml.WriteEndElement()
}

$xml.WriteEndElement()
$xml.WriteEndDocument()
$xml.Dispose()

$about = Join-Path $SourcePath 'about_TSheets.Auth.help.txt'
if (Test-Path -LiteralPath $about) { Copy-Item -LiteralPath $about -Destination $output } else { $problems.Add('no about_TSheets.Auth.help.txt') }

if ($problems.Count) {
    $problems | ForEach-Object { Write-Host "Help: $_" -ForegroundColor Red }
    exit 1
}
Write-Host "Help generated for $($module.ExportedCmdlets.Count) cmdlets in $output"
