using System.Management.Automation;
using TSheets.Auth.Operations;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// A PKCE verifier (43 to 128 unreserved characters, RFC 7636), or nothing: a request made with
    /// -NoPkce carries a null CodeVerifier, and piping it must still bind.
    /// </summary>
    public sealed class ValidateCodeVerifierAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            var text = (arguments is PSObject wrapped ? wrapped.BaseObject : arguments) as string;
            if (!string.IsNullOrEmpty(text) && !TSheetsOperations.IsValidCodeVerifier(text))
            {
                throw new ValidationMetadataException("A PKCE code verifier is 43 to 128 letters, digits and '-', '.', '_', '~' (RFC 7636). Pass the CodeVerifier of the request the URL was made with.");
            }
        }
    }
}
