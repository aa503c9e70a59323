using System;
using System.Management.Automation;
using System.Security;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Stores a token obtained elsewhere (a token made in the TSheets web UI, or a pair from
    /// another tool), or a <see cref="TSheetsToken"/> from the pipeline, in the session.
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
        [ValidateNotNull]
        public Uri BaseUri { get; set; }

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
        [ValidateNotNull]
        public TSheetsToken InputObject { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(ConnectionNameCompleter))]
        [ValidateNotWhiteSpace]
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
                var connection = ParameterSetName == InputObjectSet ? Connection.FromToken(InputObject, Name) : FromParameters();
                var service = TokenService.CreateDefault(SecretManagementVault.Instance);
                var where = Vault == null ? "the session" : $"the session and vault '{Vault}'";
                if (!ShouldProcess($"TSheets connection '{connection.Name}'", $"Store the token in {where}"))
                {
                    return;
                }

                connection = service.Save(connection, Vault, out var warning);
                if (warning != null)
                {
                    WriteWarning(warning);
                }

                if (connection.RefreshToken != null && !connection.CanRefresh)
                {
                    WriteWarning($"The token '{connection.Name}' has a refresh token but no client ID and secret, so it cannot be refreshed. Add -ClientId and -ClientSecret.");
                }

                WriteVerbose($"Stored the token '{connection.Name}' in {where}; it is valid until {TokenService.Format(connection.ExpiresOn)}.");
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

        private Connection FromParameters()
        {
            var name = Name ?? DefaultName;
            var baseUri = UriRules.NormalizeBaseUri(BaseUri);
            DateTimeOffset? expiresOn = MyInvocation.BoundParameters.ContainsKey(nameof(ExpiresOn)) ? ExpiresOn : (DateTimeOffset?)null;
            var connection = new Connection(name, AccessToken, SecureStrings.IsNullOrWhiteSpace(RefreshToken) ? null : RefreshToken, null, expiresOn, ClientId, ClientSecret, baseUri);
            if (expiresOn <= DateTimeOffset.UtcNow && !connection.CanRefresh)
            {
                throw new TSheetsAuthException(
                    ErrorIds.TokenExpired,
                    $"The token expired on {TokenService.Format(expiresOn)} and cannot be refreshed, so it was not stored. Extend it in QuickBooks Time (Feature Add-ons > API) and set the new expiry.",
                    name);
            }

            return connection;
        }
    }
}
