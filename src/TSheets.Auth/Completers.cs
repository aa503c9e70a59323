using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace TSheets.Auth.Commands
{
    /// <summary>Completes -Name with the connections in this session and those saved in a vault.</summary>
    public sealed class ConnectionNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var pattern = Completion.Pattern(wordToComplete);
            return ModuleRoot.Operations.SessionConnections()
                .Where(connection => pattern.IsMatch(connection.Key))
                .Select(connection => new CompletionResult(Completion.Quote(connection.Key), connection.Key, CompletionResultType.ParameterValue, connection.Value))
                .ToList();
        }
    }

    /// <summary>Completes -Path with TSheets' documented endpoints (users, timesheets, jobcodes, current_user, ...), not files.</summary>
    public sealed class EndpointCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var pattern = Completion.Pattern(wordToComplete);
            return Operations.TSheetsOperations.DocumentedEndpoints
                .Where(pattern.IsMatch)
                .Select(endpoint => new CompletionResult(endpoint, endpoint, CompletionResultType.ParameterValue, $"TSheets endpoint {endpoint}"))
                .ToList();
        }
    }

    /// <summary>
    /// Completes -Vault with the registered SecretManagement vaults, read from SecretManagement's
    /// own registry file so that completing never loads the module.
    /// </summary>
    public sealed class VaultNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var pattern = Completion.Pattern(wordToComplete);
            return RegisteredVaults()
                .Where(pattern.IsMatch)
                .OrderBy(name => name, StringComparer.OrdinalIgnoreCase)
                .Select(name => new CompletionResult(Completion.Quote(name), name, CompletionResultType.ParameterValue, $"SecretManagement vault '{name}'"))
                .ToList();
        }

        internal static string RegistryPath() =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "Microsoft", "PowerShell", "secretmanagement", "secretvaultregistry", "vaultinfo")
                : Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".secretmanagement", "secretvaultregistry", "vaultinfo");

        private static IEnumerable<string> RegisteredVaults()
        {
            try
            {
                using (var document = JsonDocument.Parse(File.ReadAllText(RegistryPath())))
                {
                    if (document.RootElement.TryGetProperty("Vaults", out var vaults) && vaults.ValueKind == JsonValueKind.Object)
                    {
                        return vaults.EnumerateObject().Select(v => v.Name).ToList();
                    }
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is JsonException)
            {
                // No SecretManagement, or no vault registered: nothing to offer.
            }

            return Enumerable.Empty<string>();
        }
    }

    internal static class Completion
    {
        public static WildcardPattern Pattern(string wordToComplete) =>
            new WildcardPattern(WildcardPattern.Escape((wordToComplete ?? string.Empty).Trim('\'', '"')) + "*", WildcardOptions.IgnoreCase);

        public static string Quote(string value) =>
            value.Any(c => char.IsWhiteSpace(c) || "'\"`$(){}[];,|&<>@#".IndexOf(c) >= 0) ? "'" + value.Replace("'", "''") + "'" : value;
    }
}
