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
        [ValidateNotWhiteSpace]
        [SupportsWildcards]
        public string Name { get; set; } = DefaultName;

        [Parameter]
        public SwitchParameter AsPlainText { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ForceRefreshSet)]
        public SwitchParameter ForceRefresh { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = NoRefreshSet)]
        public SwitchParameter NoRefresh { get; set; }

        protected override void ProcessRecord()
        {
            var service = TokenService.CreateDefault();
            var mode = ForceRefresh ? RefreshMode.Force : NoRefresh ? RefreshMode.Never : RefreshMode.Auto;
            if (!WildcardPattern.ContainsWildcardCharacters(Name))
            {
                WriteToken(service, Name, mode);
                return;
            }

            var pattern = new WildcardPattern(Name, WildcardOptions.IgnoreCase);
            foreach (var connection in service.Store.All())
            {
                if (pattern.IsMatch(connection.Name))
                {
                    WriteToken(service, connection.Name, mode);
                }
            }
        }

        private void WriteToken(TokenService service, string name, RefreshMode mode)
        {
            TokenLookup lookup;
            try
            {
                lookup = Wait(service.GetAsync(name, mode, CancellationToken));
            }
            catch (TSheetsAuthException ex)
            {
                WriteError(ex);
                return;
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
