#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.Interactive;
using TSheets.Auth.OAuth;
using TSheets.Auth.Reporting;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Operations
{
    /// <summary>New-TSheetsAuthorizationUrl and Connect-TSheets.</summary>
    internal sealed partial class TSheetsOperations
    {
        /// <summary>Step 1: the URL to open and what step 2 needs. Pure: no network, no session change.</summary>
        public AuthorizationRequest CreateAuthorizationRequest(SignInOptions options) => Guard(() =>
            AuthorizationUrl.Create(options.ClientId, UriRules.ValidateRedirectUri(options.RedirectUri), options.State, UriRules.NormalizeBaseUri(options.BaseUri), options.Scope, options.Pkce));

        /// <summary>
        /// Signs in the way the options say, stores the connection in the session (and the vault),
        /// tells the person where it is connected, and returns the token.
        /// </summary>
        public Task<TSheetsToken> SignInAsync(SignInOptions options, IReporter report, IPrompt prompt, CancellationToken cancellationToken) =>
            GuardAsync(() => SignInThenSaveAsync(options, report, prompt, cancellationToken), Given(options));

        private async Task<TSheetsToken> SignInThenSaveAsync(SignInOptions options, IReporter report, IPrompt prompt, CancellationToken cancellationToken)
        {
            parts.GrantTimeout.WarnIfInvalid(report);
            // Each value once, where it enters: the base URI first, as it always was.
            var baseUri = UriRules.NormalizeBaseUri(options.BaseUri);
            var mode = options.Mode;
            var redirectUri = mode == SignInMode.RefreshToken ? options.RedirectUri : UriRules.ValidateRedirectUri(options.RedirectUri);
            var app = new ClientCredentials(options.ClientId, options.ClientSecret, ParseClientAuthentication(options.ClientAuthentication));
            // Without -Vault, a connection saved in a vault before is saved there again: a new window must not find the old pair.
            var scope = Scope(options.Name, options.Vault ?? parts.Repository.VaultOf(options.Name), options.Network, report, cancellationToken);
            var grant = new GrantRequest { Name = options.Name, BaseUri = baseUri, Client = app, Network = scope.Network, RedirectUri = redirectUri, CodeVerifier = options.CodeVerifier };
            Connection connection;
            switch (mode)
            {
                case SignInMode.RedirectedUrl:
                    var code = AuthorizationResponse.FromRedirectedUrl(options.RedirectedUrl, redirectUri).GetCheckedCode(options.State, options.Name);
                    connection = await parts.SignIn.WithCodeAsync(grant with { Code = code }, cancellationToken).ConfigureAwait(false);
                    break;
                case SignInMode.AuthorizationCode:
                    connection = await parts.SignIn.WithCodeAsync(grant with { Code = options.AuthorizationCode }, cancellationToken).ConfigureAwait(false);
                    break;
                case SignInMode.RefreshToken:
                    connection = await parts.SignIn.WithRefreshTokenAsync(grant with { RefreshToken = options.RefreshToken }, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    var flow = new InteractiveSignIn(parts.SignIn, parts.Browser, prompt, report);
                    connection = await flow.RunAsync(Interactive(options, app, baseUri, redirectUri, scope.Network), Facts(options), cancellationToken).ConfigureAwait(false);
                    break;
            }

            connection = await parts.Repository.SaveAsync(connection, scope).ConfigureAwait(false);
            report.Information(Connected(connection));
            return connection.ToToken(parts.Clock);
        }

        /// <summary>The secrets a sign-in was given: not yet in the session, so named to the redactor.</summary>
        private static string[] Given(SignInOptions options) => new[]
        {
            SecureStrings.ToPlainText(options.ClientSecret),
            SecureStrings.ToPlainText(options.RefreshToken),
            options.AuthorizationCode,
            options.CodeVerifier,
        }.Concat(Given(options.Network)).ToArray();

        /// <summary>"Connected ..." for the host; every value from the server is one line without control characters.</summary>
        internal static string Connected(Connection connection)
        {
            var who = connection.UserId == null ? "TSheets" : $"TSheets as user {Text.OneLine(connection.UserId)}";
            var company = Text.OneLine(connection.ClientUrl ?? connection.CompanyId);
            var where = company == null ? string.Empty : $" of {company}";
            var until = connection.ExpiresOn.HasValue ? $"; the token is valid until {Messages.Time(connection.ExpiresOn)}" : string.Empty;
            var refresh = connection.CanRefresh ? " and refreshes itself" : string.Empty;
            var saved = connection.Vault == null ? string.Empty : $" Saved in vault '{connection.Vault}'.";
            return $"Connected '{connection.Name}' to {who}{where}{until}{refresh}.{saved}";
        }

        private static InteractiveOptions Interactive(SignInOptions options, ClientCredentials app, System.Uri baseUri, System.Uri redirectUri, NetworkSettings network) => new InteractiveOptions
        {
            Network = network,
            Name = options.Name,
            App = app,
            RedirectUri = redirectUri,
            BaseUri = baseUri,
            Timeout = options.Timeout,
            NoBrowser = options.NoBrowser,
            Scope = options.Scope,
            Pkce = options.Pkce,
        };

        private InteractionFacts Facts(SignInOptions options) => Facts(options.HostName, options.HostHasUserInterface, options.NonInteractiveSwitch);

        /// <summary>What the host said, with what the process says: Core decides from both whether a person can answer.</summary>
        private InteractionFacts Facts(string hostName, bool hostHasUserInterface, bool nonInteractiveSwitch)
        {
            var facts = parts.ProcessFacts();
            facts.HostName = hostName;
            facts.HostHasUserInterface = hostHasUserInterface;
            facts.NonInteractiveSwitch = nonInteractiveSwitch;
            return facts;
        }
    }
}
