using System.Collections.Generic;
using System.Management.Automation;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Returns a connection's token, refreshing it first when policy (or -ForceRefresh) says so.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "TSheetsToken", DefaultParameterSetName = AutoSet)]
    [OutputType(typeof(TSheetsToken), typeof(string))]
    public sealed class GetTSheetsTokenCommand : TSheetsCmdlet
    {
        private const string AutoSet = "Auto";
        private const string ForceRefreshSet = "ForceRefresh";
        private const string NoRefreshSet = "NoRefresh";

        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ConnectionNameCompleter))]
        [ValidateNotWhiteSpace]
        [SupportsWildcards]
        public string Name { get; set; } = DefaultName;

        [Parameter]
        [ArgumentCompleter(typeof(VaultNameCompleter))]
        [ValidateNotWhiteSpace]
        public string Vault { get; set; }

        [Parameter]
        public SwitchParameter AsPlainText { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ForceRefreshSet)]
        public SwitchParameter ForceRefresh { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = NoRefreshSet)]
        public SwitchParameter NoRefresh { get; set; }

        protected override void ProcessRecord()
        {
            var service = TokenService.CreateDefault(SecretManagementVault.Instance);
            var mode = ForceRefresh ? RefreshMode.Force : NoRefresh ? RefreshMode.Never : RefreshMode.Auto;
            if (!WildcardPattern.ContainsWildcardCharacters(Name))
            {
                WriteToken(service, Name, mode);
                return;
            }

            IEnumerable<string> names;
            try
            {
                names = ConnectionNames.Matching(service.Store, Name, Vault);
            }
            catch (TSheetsAuthException ex)
            {
                WriteError(ex);
                return;
            }

            foreach (var name in names)
            {
                WriteToken(service, name, mode);
            }
        }

        private void WriteToken(TokenService service, string name, RefreshMode mode)
        {
            TokenLookup lookup;
            try
            {
                lookup = Wait(service.GetAsync(name, mode, CancellationToken, Vault));
            }
            catch (TSheetsAuthException ex)
            {
                WriteError(ex);
                return;
            }

            if (lookup.VaultFailure != null)
            {
                WriteError(lookup.VaultFailure);
            }

            if (lookup.Warning != null)
            {
                WriteWarning(lookup.Warning);
            }
            else if (lookup.Refreshed)
            {
                WriteVerbose($"Refreshed the token '{lookup.Connection.Name}'; the new one is valid until {TokenService.Format(lookup.Connection.ExpiresOn)}.");
            }

            if (AsPlainText)
            {
                WriteObject(SecureStrings.ToPlainText(lookup.Connection.AccessToken));
            }
            else
            {
                WriteObject(lookup.Connection.ToToken());
            }
        }
    }
}
