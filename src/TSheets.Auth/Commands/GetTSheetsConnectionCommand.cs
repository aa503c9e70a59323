using System.Management.Automation;
using TSheets.Auth.Operations;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// The status of the connections: where each is kept, whose it is, how long its token lasts,
    /// whether it can refresh, and what is wrong with the command that fixes it. Read-only: never a
    /// request to TSheets, never a refresh, never a secret (models: gh auth status, Get-AzContext -ListAvailable).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "TSheetsConnection", HelpUri = HelpLinks.GetTSheetsConnection)]
    [OutputType(typeof(TSheetsConnection))]
    public sealed class GetTSheetsConnectionCommand : TSheetsCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ConnectionNameCompleter))]
        [ValidateNotWhiteSpace]
        [SupportsWildcards]
        public string Name { get; set; } = "*";

        protected override void ProcessRecord()
        {
            try
            {
                foreach (var connection in Run(() => ModuleRoot.Operations.ListConnections(new ConnectionQuery { Name = Name })))
                {
                    WriteObject(connection);
                }
            }
            catch (TSheetsAuthException ex)
            {
                WriteErrorRecord(ex);
            }
        }
    }
}
