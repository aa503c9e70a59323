using System;
using System.Management.Automation;
using System.Security;
using TSheets.Auth.Operations;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Stores a token obtained elsewhere (a token made in the TSheets web UI, or a pair from
    /// another tool), or a <see cref="TSheetsToken"/> from the pipeline, in the session (and -Vault).
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "TSheetsToken", DefaultParameterSetName = TokenSet, SupportsShouldProcess = true, HelpUri = HelpLinks.SetTSheetsToken)]
    [OutputType(typeof(TSheetsToken))]
    public sealed class SetTSheetsTokenCommand : TSheetsCmdlet
    {
        private const string TokenSet = "Token";
        private const string InputObjectSet = "InputObject";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = TokenSet)]
        [ValidateNotEmptySecureString]
        public SecureString AccessToken { get; set; }

        [Parameter(ParameterSetName = TokenSet)]
        [ValidateNotEmptySecureString]
        public SecureString RefreshToken { get; set; }

        [Parameter(ParameterSetName = TokenSet)]
        public DateTimeOffset ExpiresOn { get; set; }

        [Parameter(ParameterSetName = TokenSet)]
        [ValidateNotWhiteSpace]
        public string ClientId { get; set; }

        [Parameter(ParameterSetName = TokenSet)]
        [ValidateNotEmptySecureString]
        public SecureString ClientSecret { get; set; }

        [Parameter(ParameterSetName = TokenSet)]
        // A string, not Core's enum: a field of Core's type would load Core when the module is imported.
        [ValidateSet("Post", "Basic", IgnoreCase = true)]
        public string ClientAuthentication { get; set; } = "Post";

        [Parameter(ParameterSetName = TokenSet)]
        [ValidateNotNull]
        public Uri BaseUri { get; set; }

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
        [ValidateNotNull]
        public TSheetsToken InputObject { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(ConnectionNameCompleter))]
        [ValidateNotWhiteSpace]
        [ValidateConnectionName]
        public string Name { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(VaultNameCompleter))]
        [ValidateNotWhiteSpace]
        public string Vault { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var operations = ModuleRoot.Operations;
            var options = new SetTokenOptions { Name = Name, Vault = Vault };
            if (ParameterSetName == InputObjectSet)
            {
                options.InputObject = InputObject;
            }
            else
            {
                options.AccessToken = AccessToken;
                options.RefreshToken = RefreshToken;
                options.ExpiresOn = MyInvocation.BoundParameters.ContainsKey(nameof(ExpiresOn)) ? ExpiresOn : (DateTimeOffset?)null;
                options.ClientId = ClientId;
                options.ClientSecret = ClientSecret;
                options.ClientAuthentication = ClientAuthentication;
                options.BaseUri = BaseUri;
            }

            try
            {
                var plan = operations.PlanSetToken(options);
                if (!ShouldProcess(plan.Target, plan.Action))
                {
                    return;
                }

                var token = Wait(operations.ApplyAsync(plan, Sink, CancellationToken));
                if (PassThru)
                {
                    WriteObject(token);
                }
            }
            catch (TSheetsAuthException ex)
            {
                ThrowTerminatingError(ex);
            }
        }
    }
}
