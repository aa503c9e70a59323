using System;
using System.Management.Automation;
using System.Security;
using TSheets.Auth.Operations;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Signs in: the interactive flow (browser and loopback listener, or paste-back), a pasted or
    /// captured authorization code, or a refresh token; stores the token in the session (and -Vault).
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "TSheets", DefaultParameterSetName = InteractiveSet, HelpUri = HelpLinks.ConnectTSheets)]
    [OutputType(typeof(TSheetsToken))]
    public sealed class ConnectTSheetsCommand : TSheetsNetworkCmdlet
    {
        private const string InteractiveSet = "Interactive";
        private const string RedirectedUrlSet = "RedirectedUrl";
        private const string AuthorizationCodeSet = "AuthorizationCode";
        private const string RefreshTokenSet = "RefreshToken";

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotWhiteSpace]
        public string ClientId { get; set; }

        [Parameter(Mandatory = true)]
        [ValidateNotEmptySecureString]
        public SecureString ClientSecret { get; set; }

        [Parameter]
        // A string, not Core's enum: a field of Core's type would load Core when the module is imported.
        [ValidateSet("Post", "Basic", IgnoreCase = true)]
        public string ClientAuthentication { get; set; } = "Post";

        [Parameter(Mandatory = true, ParameterSetName = InteractiveSet)]
        [Parameter(Mandatory = true, ParameterSetName = RedirectedUrlSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(Mandatory = true, ParameterSetName = AuthorizationCodeSet)]
        [ValidateNotNull]
        public Uri RedirectUri { get; set; }

        [Parameter(ParameterSetName = InteractiveSet)]
        public SwitchParameter NoBrowser { get; set; }

        [Parameter(ParameterSetName = InteractiveSet)]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 300;

        [Parameter(ParameterSetName = InteractiveSet)]
        [ValidateNotNullOrEmpty]
        [ValidatePattern(@"^[\x21\x23-\x5B\x5D-\x7E]+\z")]
        public string[] Scope { get; set; }

        [Parameter(ParameterSetName = InteractiveSet)]
        public SwitchParameter NoPkce { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = RedirectedUrlSet)]
        [ValidateNotNull]
        public Uri RedirectedUrl { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = RedirectedUrlSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotWhiteSpace]
        public string State { get; set; }

        [Parameter(ParameterSetName = RedirectedUrlSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = AuthorizationCodeSet)]
        [AllowNull]
        [AllowEmptyString]
        [ValidateCodeVerifier]
        public string CodeVerifier { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = AuthorizationCodeSet)]
        [ValidateNotWhiteSpace]
        public string AuthorizationCode { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = RefreshTokenSet)]
        [ValidateNotEmptySecureString]
        public SecureString RefreshToken { get; set; }

        // From a piped token or connection: sign that connection in again (its ClientId and BaseUri bind too).
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ConnectionNameCompleter))]
        [ValidateNotWhiteSpace]
        [ValidateConnectionName]
        public string Name { get; set; } = DefaultName;

        [Parameter]
        [ArgumentCompleter(typeof(VaultNameCompleter))]
        [ValidateNotWhiteSpace]
        public string Vault { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public Uri BaseUri { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            // The code, the verifier and the pasted address are secrets that arrive as strings: keep
            // them out of the invocation info that error records and Get-Error display.
            foreach (var secretParameter in new[] { nameof(AuthorizationCode), nameof(RedirectedUrl), nameof(CodeVerifier) })
            {
                if (MyInvocation.BoundParameters.ContainsKey(secretParameter))
                {
                    MyInvocation.BoundParameters[secretParameter] = "***";
                }
            }

            var options = new SignInOptions
            {
                Name = Name,
                Vault = Vault,
                ClientId = ClientId,
                ClientSecret = ClientSecret,
                ClientAuthentication = ClientAuthentication,
                BaseUri = BaseUri,
                RedirectUri = RedirectUri,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                NoBrowser = NoBrowser,
                Scope = Scope,
                Pkce = !NoPkce,
                Network = NetworkOptions(),
            };
            switch (ParameterSetName)
            {
                case RedirectedUrlSet:
                    options.RedirectedUrl = RedirectedUrl;
                    options.State = State;
                    options.CodeVerifier = CodeVerifier;
                    break;
                case AuthorizationCodeSet:
                    options.AuthorizationCode = AuthorizationCode;
                    options.CodeVerifier = CodeVerifier;
                    break;
                case RefreshTokenSet:
                    options.RefreshToken = RefreshToken;
                    break;
                default:
                    var host = HostFacts.Of(Host, Environment.GetCommandLineArgs());
                    options.HostName = host.Name;
                    options.HostHasUserInterface = host.HasUserInterface;
                    options.NonInteractiveSwitch = host.NonInteractive;
                    break;
            }

            try
            {
                var token = Wait(ModuleRoot.Operations.SignInAsync(options, Sink, Sink, CancellationToken));
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
