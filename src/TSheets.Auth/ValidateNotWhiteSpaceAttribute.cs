using System.Management.Automation;

namespace TSheets.Auth.Commands
{
    /// <summary>Rejects null, empty and all-white-space strings (ValidateNotNullOrEmpty lets "  " through).</summary>
    public sealed class ValidateNotWhiteSpaceAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            if (arguments == null || string.IsNullOrWhiteSpace(arguments.ToString()))
            {
                throw new ValidationMetadataException("The argument is empty or white space. Supply a value and try again.");
            }
        }
    }
}
