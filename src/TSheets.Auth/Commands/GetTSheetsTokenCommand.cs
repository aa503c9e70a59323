using System.Management.Automation;
using TSheets.Auth.Operations;

namespace TSheets.Auth.Commands
{
    /// <summary>Returns a connection's token, refreshing it first when policy (or -ForceRefresh) says so.</summary>
    [Cmdlet(VerbsCommon.Get, "TSheetsToken", DefaultParameterSetName = AutoSet, HelpUri = HelpLinks.GetTSheetsToken)]
    [OutputType(typeof(TSheetsToken), typeof(string))]
    public sealed class GetTSheetsTokenCommand : TSheetsNetworkCmdlet
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
            var operations = ModuleRoot.Operations;
            var query = new ConnectionQuery { Name = Name, Vault = Vault, ForceRefresh = ForceRefresh, NoRefresh = NoRefresh, Network = NetworkOptions() };
            System.Collections.Generic.IReadOnlyList<ConnectionQuery> queries;
            try
            {
                queries = Run(() => operations.ResolveNames(query));
            }
            catch (TSheetsAuthException ex)
            {
                WriteErrorRecord(ex);
                return;
            }

            foreach (var one in queries)
            {
                TSheetsToken token;
                try
                {
                    token = Wait(operations.GetTokenAsync(one, Sink, CancellationToken));
                }
                catch (TSheetsAuthException ex)
                {
                    WriteErrorRecord(ex);
                    continue;
                }

                if (AsPlainText)
                {
                    WriteObject(new System.Net.NetworkCredential(string.Empty, token.AccessToken).Password);
                }
                else
                {
                    WriteObject(token);
                }
            }
        }
    }
}
