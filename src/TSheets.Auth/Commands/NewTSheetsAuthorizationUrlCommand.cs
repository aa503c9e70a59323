using System;
using System.Management.Automation;
using TSheets.Auth.Operations;

namespace TSheets.Auth.Commands
{
    /// <summary>Step 1: the URL a user opens to authorize the app. Pure: no network, no session change.</summary>
    [Cmdlet(VerbsCommon.New, "TSheetsAuthorizationUrl", HelpUri = HelpLinks.NewTSheetsAuthorizationUrl)]
    [OutputType(typeof(AuthorizationRequest))]
    public sealed class NewTSheetsAuthorizationUrlCommand : TSheetsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotWhiteSpace]
        public string ClientId { get; set; }

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public Uri RedirectUri { get; set; }

        [Parameter]
        [ValidateNotWhiteSpace]
        public string State { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidatePattern(@"^[\x21\x23-\x5B\x5D-\x7E]+\z")]
        public string[] Scope { get; set; }

        [Parameter]
        public SwitchParameter NoPkce { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public Uri BaseUri { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                var options = new SignInOptions { ClientId = ClientId, RedirectUri = RedirectUri, State = State, Scope = Scope, Pkce = !NoPkce, BaseUri = BaseUri };
                WriteObject(ModuleRoot.Operations.CreateAuthorizationRequest(options));
            }
            catch (TSheetsAuthException ex)
            {
                ThrowTerminatingError(ex);
            }
        }
    }
}
