using System.Management.Automation;

namespace TSheets.Auth.Commands
{
    /// <summary>Returns a connection's token, refreshing it first when policy (or -ForceRefresh) says so.</summary>
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
            var services = ModuleServices.Current;
            var mode = ForceRefresh ? RefreshMode.Force : NoRefresh ? RefreshMode.Never : RefreshMode.Auto;
            if (mode != RefreshMode.Never)
            {
                WarnAboutGrantSettings();
            }

            System.Collections.Generic.IReadOnlyList<string> names;
            try
            {
                names = Run(() => ConnectionNames.Resolve(services.Repository, Name, Vault, out _));
            }
            catch (TSheetsAuthException ex)
            {
                WriteErrorRecord(ex);
                return;
            }

            foreach (var name in names)
            {
                Connection connection;
                try
                {
                    connection = Wait(services.Tokens.GetAsync(name, mode, Vault, Sink, CancellationToken));
                }
                catch (TSheetsAuthException ex)
                {
                    WriteErrorRecord(ex);
                    continue;
                }

                if (AsPlainText)
                {
                    WriteObject(SecureStrings.ToPlainText(connection.AccessToken));
                }
                else
                {
                    WriteObject(connection.ToToken());
                }
            }
        }
    }
}
