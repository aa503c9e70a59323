using System.Management.Automation;
using System.Net;
using System.Security;

namespace TSheets.Auth.Commands
{
    /// <summary>Rejects an empty or all-white-space SecureString (an Enter pressed at Read-Host -AsSecureString).</summary>
    public sealed class ValidateNotEmptySecureStringAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            if (arguments is PSObject wrapped)
            {
                arguments = wrapped.BaseObject;
            }

            if (!(arguments is SecureString secure) || secure.Length == 0 || string.IsNullOrWhiteSpace(new NetworkCredential(string.Empty, secure).Password))
            {
                throw new ValidationMetadataException("The secure string is empty. Supply the secret and try again.");
            }
        }
    }
}
