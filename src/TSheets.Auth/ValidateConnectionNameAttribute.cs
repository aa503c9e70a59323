using System.Management.Automation;
using TSheets.Auth.Operations;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Refuses the wildcard characters <c>* ? [ ]</c> in the name of a connection being made:
    /// Get-TSheetsToken and Disconnect-TSheets take wildcards, so 'c[1]' would also reach c1 (for
    /// an MSP, another client's company). Names stored before this rule still work: an exact name
    /// always wins over wildcard expansion. The rule is Core's; the cmdlets declare it.
    /// </summary>
    public sealed class ValidateConnectionNameAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            var name = arguments?.ToString();
            if (!TSheetsOperations.IsValidConnectionName(name))
            {
                throw new ValidationMetadataException(
                    $"The name '{name}' holds wildcard characters (* ? [ ]), with which Get-TSheetsToken and Disconnect-TSheets would reach other connections (for 'c[1]', also 'c1'). Choose a name without them.");
            }
        }
    }
}
