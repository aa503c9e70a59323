using System;
using System.Management.Automation;
using System.Security;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Signs in: exchanges an authorization code (pasted back or captured) or a refresh token for
    /// a token pair and stores it in the session.
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

        [Parameter(Mandatory = true, ParameterSetName = RedirectedUrlSet)]
        [ValidateNotNull]
        public Uri RedirectedUrl { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = RedirectedUrlSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotWhiteSpace]
        public string State { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = AuthorizationCodeSet)]
        [ValidateNotWhiteSpace]
        public string AuthorizationCode { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = RefreshTokenSet)]
        [ValidateNotEmptySecureString]
        public SecureString RefreshToken { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(ConnectionNameCompleter))]
        [ValidateNotWhiteSpace]
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
            // The code (bare or inside the pasted address) is a secret that arrives as a string:
            // keep it out of the invocation info that error records and Get-Error display.
            foreach (var secretParameter in new[] { nameof(AuthorizationCode), nameof(RedirectedUrl) })
            {
                if (MyInvocation.BoundParameters.ContainsKey(secretParameter))
                {
                    MyInvocation.BoundParameters[secretParameter] = Redactor.Mask;
                }
            }

            try
            {
                var baseUri = UriRules.NormalizeBaseUri(BaseUri);
                var service = TokenService.CreateDefault(SecretManagementVault.Instance);
                Connection connection;
                switch (ParameterSetName)
                {
                    case RedirectedUrlSet:
                        var code = AuthorizationResponse.FromRedirectedUrl(RedirectedUrl, RedirectUri).GetCheckedCode(State, Name);
                        connection = Wait(service.ConnectWithCodeAsync(Name, ClientId, ClientSecret, RedirectUri, code, baseUri, CancellationToken));
                        break;
                    case AuthorizationCodeSet:
                        UriRules.ValidateRedirectUri(RedirectUri);
                        connection = Wait(service.ConnectWithCodeAsync(Name, ClientId, ClientSecret, RedirectUri, AuthorizationCode, baseUri, CancellationToken));
                        break;
                    case RefreshTokenSet:
                        connection = Wait(service.ConnectWithRefreshTokenAsync(Name, ClientId, ClientSecret, RefreshToken, baseUri, CancellationToken));
                        break;
                    default:
                        connection = SignInInteractively(service, baseUri);
                        break;
                }

                connection = service.Save(connection, Vault, out var warning);
                if (warning != null)
                {
                    WriteWarning(warning);
                }

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

        /// <summary>
        /// The Interactive set: show the URL, open the browser, and take the answer from the
        /// loopback listener (http://localhost...) or from the user's paste (any other redirect URI).
        /// </summary>
        private Connection SignInInteractively(TokenService service, Uri baseUri)
        {
            UriRules.ValidateRedirectUri(RedirectUri);
            if (!InteractiveSession.IsInteractive(this))
            {
                throw new TSheetsAuthException(
                    ErrorIds.InteractionRequired,
                    "This session cannot show a browser sign-in (it is non-interactive: a scheduled task, a service, or pwsh -NonInteractive). "
                    + "Sign in once interactively and keep the token in a vault, start from a refresh token with Connect-TSheets -RefreshToken, "
                    + "or store a token made in QuickBooks Time with Set-TSheetsToken.",
                    Name);
            }

            var request = AuthorizationUrl.Create(ClientId, RedirectUri, null, baseUri);
            string code;
            if (LoopbackListener.Supports(RedirectUri))
            {
                // Listening before the URL is shown: a fast browser must find the port open.
                using (var listener = LoopbackListener.Start(RedirectUri, request.State, Name))
                {
                    ShowAuthorizationUrl(request, loopback: true);
                    WriteHostMessage($"Waiting up to {TimeoutSec} seconds for the sign-in to reach {UriRules.Describe(RedirectUri)} (Ctrl+C cancels)...");
                    code = Wait(listener.WaitForCodeAsync(TimeSpan.FromSeconds(TimeoutSec), CancellationToken));
                }
            }
            else
            {
                ShowAuthorizationUrl(request, loopback: false);
                WriteHostMessage($"After you allow access, the browser goes to {UriRules.Describe(RedirectUri)}. Copy the whole address from its address bar and paste it here at once: the code in it expires in about 30 seconds.");
                // Read like a password: the address holds a one-time code that must not reach the screen or a transcript.
                Host.UI.Write("Address (hidden): ");
                var pasted = SecureStrings.ToPlainText(Host.UI.ReadLineAsSecureString())?.Trim() ?? string.Empty;
                if (!Uri.TryCreate(pasted, UriKind.Absolute, out var redirectedUrl))
                {
                    throw new TSheetsAuthException(ErrorIds.InvalidRedirectUri, "That is not an address. Run Connect-TSheets again and paste the whole address from the browser's address bar.", Name);
                }

                code = AuthorizationResponse.FromRedirectedUrl(redirectedUrl, RedirectUri).GetCheckedCode(request.State, Name);
            }

            return Wait(service.ConnectWithCodeAsync(Name, ClientId, ClientSecret, RedirectUri, code, baseUri, CancellationToken));
        }

        private void ShowAuthorizationUrl(AuthorizationRequest request, bool loopback)
        {
            WriteHostMessage($"Sign in to TSheets and allow access: {request.Url.AbsoluteUri}", scrub: false);
            if (NoBrowser)
            {
                if (loopback)
                {
                    var host = RedirectUri.HostNameType == UriHostNameType.IPv6 ? $"[{RedirectUri.DnsSafeHost}]" : RedirectUri.DnsSafeHost;
                    WriteHostMessage($"Open that address in a browser on this computer. Over SSH, forward the port first (ssh -L {RedirectUri.Port}:{host}:{RedirectUri.Port} <this host>) and open it on your own computer.");
                }

                return;
            }

            try
            {
                SystemBrowserLauncher.Instance.Open(request.Url);
                WriteVerbose("Opened the browser.");
            }
            catch (BrowserLaunchException ex)
            {
                WriteWarning($"{ex.Message} Open the address above yourself.");
            }
        }

        internal static string Describe(Connection connection)
        {
            var who = connection.UserId == null ? "TSheets" : $"TSheets as user {connection.UserId}";
            var company = connection.ClientUrl ?? connection.CompanyId;
            var where = company == null ? string.Empty : $" of {company}";
            var until = connection.ExpiresOn.HasValue ? $"; the token is valid until {TokenService.Format(connection.ExpiresOn)}" : string.Empty;
            var refresh = connection.CanRefresh ? " and refreshes itself" : string.Empty;
            var saved = connection.Vault == null ? string.Empty : $" Saved in vault '{connection.Vault}'.";
            return $"Connected '{connection.Name}' to {who}{where}{until}{refresh}.{saved}";
        }
    }
}
