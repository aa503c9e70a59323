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
        [ValidateNotWhiteSpace]
        public string Name { get; set; } = DefaultName;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public Uri BaseUri { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                var baseUri = UriRules.NormalizeBaseUri(BaseUri);
                var service = TokenService.CreateDefault();
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
                        UriRules.ValidateRedirectUri(RedirectUri);
                        throw new TSheetsAuthException(
                            ErrorIds.InteractiveSignInNotAvailable,
                            "The browser sign-in is not in this version of TSheets.Auth yet. Run New-TSheetsAuthorizationUrl, open its URL, approve, and pass the address the browser lands on to Connect-TSheets -RedirectedUrl.",
                            Name);
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

        internal static string Describe(Connection connection)
        {
            var who = connection.UserId == null ? "TSheets" : $"TSheets as user {connection.UserId}";
            var company = connection.ClientUrl ?? connection.CompanyId;
            var where = company == null ? string.Empty : $" of {company}";
            var until = connection.ExpiresOn.HasValue ? $"; the token is valid until {TokenService.Format(connection.ExpiresOn)}" : string.Empty;
            var refresh = connection.CanRefresh ? " and refreshes itself" : string.Empty;
            return $"Connected '{connection.Name}' to {who}{where}{until}{refresh}.";
        }
    }
}
