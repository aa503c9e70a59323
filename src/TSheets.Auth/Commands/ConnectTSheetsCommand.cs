using System;
using System.Management.Automation;
using System.Security;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Signs in: the interactive flow (browser and loopback listener, or paste-back), a pasted or
    /// captured authorization code, or a refresh token; stores the token in the session (and -Vault).
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "TSheets", DefaultParameterSetName = InteractiveSet)]
    [OutputType(typeof(TSheetsToken))]
    public sealed class ConnectTSheetsCommand : TSheetsCmdlet
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

        [Parameter]
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
                    MyInvocation.BoundParameters[secretParameter] = Redactor.Mask;
                }
            }

            WarnAboutGrantSettings();
            try
            {
                var services = ModuleServices.Current;
                var baseUri = UriRules.NormalizeBaseUri(BaseUri);
                var app = new ClientCredentials(ClientId, ClientSecret, ClientMethods.Parse(ClientAuthentication));
                Connection connection;
                switch (ParameterSetName)
                {
                    case RedirectedUrlSet:
                        var code = AuthorizationResponse.FromRedirectedUrl(RedirectedUrl, RedirectUri).GetCheckedCode(State, Name);
                        connection = Wait(services.SignIn.WithCodeAsync(Name, app, RedirectUri, code, CodeVerifier, baseUri, CancellationToken));
                        break;
                    case AuthorizationCodeSet:
                        connection = Wait(services.SignIn.WithCodeAsync(Name, app, RedirectUri, AuthorizationCode, CodeVerifier, baseUri, CancellationToken));
                        break;
                    case RefreshTokenSet:
                        connection = Wait(services.SignIn.WithRefreshTokenAsync(Name, app, RefreshToken, baseUri, CancellationToken));
                        break;
                    default:
                        var options = new InteractiveOptions
                        {
                            Name = Name,
                            App = app,
                            RedirectUri = RedirectUri,
                            BaseUri = baseUri,
                            Timeout = TimeSpan.FromSeconds(TimeoutSec),
                            NoBrowser = NoBrowser,
                            Scope = Scope,
                            Pkce = !NoPkce,
                        };
                        var flow = new InteractiveSignIn(services.SignIn, SystemBrowserLauncher.Instance, Sink, Sink);
                        connection = Wait(flow.RunAsync(options, HostFacts.For(this), CancellationToken));
                        break;
                }

                connection = Wait(services.Repository.SaveAsync(connection, Vault, Sink, CancellationToken));
                WriteHostMessage(Describe(connection));
                if (PassThru)
                {
                    WriteObject(connection.ToToken());
                }
            }
            catch (TSheetsAuthException ex)
            {
                ThrowTerminatingError(ex);
            }
        }

        /// <summary>"Connected ..." for the host; every value from the server is one line without control characters.</summary>
        internal static string Describe(Connection connection)
        {
            var who = connection.UserId == null ? "TSheets" : $"TSheets as user {Text.OneLine(connection.UserId)}";
            var company = Text.OneLine(connection.ClientUrl ?? connection.CompanyId);
            var where = company == null ? string.Empty : $" of {company}";
            var until = connection.ExpiresOn.HasValue ? $"; the token is valid until {Messages.Time(connection.ExpiresOn)}" : string.Empty;
            var refresh = connection.CanRefresh ? " and refreshes itself" : string.Empty;
            var saved = connection.Vault == null ? string.Empty : $" Saved in vault '{connection.Vault}'.";
            return $"Connected '{connection.Name}' to {who}{where}{until}{refresh}.{saved}";
        }
    }
}
