using System.Management.Automation;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Removes connections from the session and, with -Vault, their secrets from the vault.
    /// TSheets has no revoke endpoint: the token stays valid on the server until it expires or is
    /// deleted in QuickBooks Time.
    /// </summary>
    [Cmdlet(VerbsCommunications.Disconnect, "TSheets", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    public sealed class DisconnectTSheetsCommand : TSheetsCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ConnectionNameCompleter))]
        [ValidateNotWhiteSpace]
        [SupportsWildcards]
        public string Name { get; set; } = DefaultName;

        [Parameter]
        [ArgumentCompleter(typeof(VaultNameCompleter))]
        [ValidateNotWhiteSpace]
        public string Vault { get; set; }

        protected override void ProcessRecord()
        {
            var operations = ModuleRoot.Operations;
            System.Collections.Generic.IReadOnlyList<ChangePlan> plans;
            try
            {
                plans = operations.PlanDisconnect(new ConnectionQuery { Name = Name, Vault = Vault });
            }
            catch (TSheetsAuthException ex)
            {
                WriteErrorRecord(ex);
                return;
            }

            foreach (var plan in plans)
            {
                if (!ShouldProcess(plan.Target, plan.Action))
                {
                    continue;
                }

                try
                {
                    Wait(operations.ApplyAsync(plan, Sink, CancellationToken));
                }
                catch (TSheetsAuthException ex)
                {
                    WriteErrorRecord(ex);
                }
            }
        }
    }
}
