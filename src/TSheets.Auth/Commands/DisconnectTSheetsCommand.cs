using System;
using System.Collections.Generic;
using System.Management.Automation;
using TSheets.Auth.Operations;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Removes connections from the session and, with -Vault, their secrets from the vault.
    /// TSheets has no revoke endpoint: the token stays valid on the server until it expires or is
    /// deleted in QuickBooks Time.
    /// </summary>
    [Cmdlet(VerbsCommunications.Disconnect, "TSheets", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.DisconnectTSheets)]
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

        /// <summary>Removes every vault connection a wildcard matches without asking first.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            var operations = ModuleRoot.Operations;
            var host = HostFacts.Of(Host, Environment.GetCommandLineArgs());
            var query = new ConnectionQuery
            {
                Name = Name,
                Vault = Vault,
                // -WhatIf and -Confirm ask or tell about each removal through ShouldProcess instead.
                Force = Force || MyInvocation.BoundParameters.ContainsKey("Confirm") || MyInvocation.BoundParameters.ContainsKey("WhatIf")
                    || LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference")),
                HostName = host.Name,
                HostHasUserInterface = host.HasUserInterface,
                NonInteractiveSwitch = host.NonInteractive,
            };
            IReadOnlyList<ChangePlan> plans;
            try
            {
                plans = operations.PlanDisconnect(query);
            }
            catch (TSheetsAuthException ex)
            {
                WriteErrorRecord(ex);
                return;
            }

            var question = plans.Count > 0 ? plans[0].Question : null;
            if (question != null && !ShouldContinue(question, "Remove several connections"))
            {
                WriteVerboseText("Nothing was removed.");
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
