using System;
using System.Management.Automation;
using System.Security;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Stores a token obtained elsewhere (a token made in the TSheets web UI, or a pair from
    /// another tool), or a <see cref="TSheetsToken"/> from the pipeline, in the session (and -Vault).
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "TSheetsToken", DefaultParameterSetName = TokenSet, SupportsShouldProcess = true)]
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
            try
            {
                var services = ModuleServices.Current;
                var connection = RefuseExpired(ParameterSetName == InputObjectSet ? FromToken(services.Session) : FromParameters());
                var where = Vault == null ? "the session" : $"the session and vault '{Vault}'";
                if (!ShouldProcess($"TSheets connection '{connection.Name}'", $"Store the token in {where}"))
                {
                    return;
                }

                connection = Wait(services.Repository.SaveAsync(connection, Vault, Sink, CancellationToken));
                if (connection.RefreshToken != null && !connection.CanRefresh)
                {
                    WriteWarningText($"The token '{connection.Name}' was stored with a refresh token. {Messages.NoClientCredentials}");
                }

                WriteVerboseText($"Stored the token '{connection.Name}' in {where}; it is valid until {Messages.Time(connection.ExpiresOn)}.");
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
        /// A piped token. The public object carries no client secret: the session's connection of
        /// that name supplies it when it holds the same token (the usual Get-TSheetsToken | Set-TSheetsToken).
        /// </summary>
        private Connection FromToken(SessionStore session)
        {
            var token = InputObject;
            var source = session.Get(token.Name);
            var same = source != null && ConstantTime.Equals(SecureStrings.ToPlainText(source.AccessToken), SecureStrings.ToPlainText(token.AccessToken));
            var connection = same
                ? source
                : new Connection
                {
                    Name = token.Name,
                    AccessToken = Checked(token.AccessToken, "access token"),
                    RefreshToken = token.RefreshToken == null ? null : Checked(token.RefreshToken, "refresh token"),
                    IssuedOn = token.IssuedOn,
                    ExpiresOn = token.ExpiresOn,
                    ClientId = token.ClientId,
                    ClientAuthentication = token.ClientAuthentication,
                    BaseUri = UriRules.NormalizeBaseUri(token.BaseUri),
                    UserId = Text.OneLine(token.UserId),
                    CompanyId = Text.OneLine(token.CompanyId),
                    ClientUrl = Text.OneLine(token.ClientUrl),
                };
            return connection with { Name = Name ?? token.Name };
        }

        private Connection FromParameters()
        {
            var name = Name ?? DefaultName;
            DateTimeOffset? expiresOn = MyInvocation.BoundParameters.ContainsKey(nameof(ExpiresOn)) ? ExpiresOn : (DateTimeOffset?)null;
            return new Connection
            {
                Name = name,
                AccessToken = Checked(AccessToken, "access token"),
                RefreshToken = SecureStrings.IsNullOrWhiteSpace(RefreshToken) ? null : Checked(RefreshToken, "refresh token"),
                ExpiresOn = expiresOn,
                ClientId = ClientId,
                ClientSecret = SecureStrings.CopyReadOnly(ClientSecret),
                ClientAuthentication = ClientMethods.Parse(ClientAuthentication),
                BaseUri = UriRules.NormalizeBaseUri(BaseUri),
            };
        }

        /// <summary>An expired token that cannot be refreshed would only fail every call: it is not stored.</summary>
        private static Connection RefuseExpired(Connection connection)
        {
            if (connection.ExpiresOn <= DateTimeOffset.UtcNow && !connection.CanRefresh)
            {
                var what = connection.RefreshToken == null
                    ? "Extend it in QuickBooks Time (Feature Add-ons > API) and set the new expiry."
                    : Messages.NoClientCredentials;
                throw new TSheetsAuthException(
                    ErrorIds.TokenExpired,
                    $"The token expired on {Messages.Time(connection.ExpiresOn)} and cannot be refreshed, so it was not stored. {what}",
                    connection.Name);
            }

            return connection;
        }

        /// <summary>A read-only copy of a token the user gave, once it is known to be a plain RFC 6750 token.</summary>
        private SecureString Checked(SecureString token, string what)
        {
            TokenRules.Require(SecureStrings.ToPlainText(token), what, Name ?? DefaultName);
            return SecureStrings.CopyReadOnly(token);
        }
    }
}
