using System.Collections.Generic;
using System.Linq;
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

        /// <summary>Removes every vault connection a wildcard matches without asking first.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            var repository = ModuleServices.Current.Repository;
            var wildcard = false;
            IReadOnlyList<string> names;
            try
            {
                names = ConnectionNames.Resolve(repository, Name, Vault, out wildcard);
                if (wildcard && Vault != null && names.Count > 1 && !Confirmed(names))
                {
                    return;
                }
            }
            catch (TSheetsAuthException ex)
            {
                WriteErrorRecord(ex);
                return;
            }

            foreach (var name in names)
            {
                var where = Vault == null ? "the session" : $"the session and vault '{Vault}'";
                if (!ShouldProcess($"TSheets connection '{name}'", $"Remove from {where}"))
                {
                    continue;
                }

                bool removed;
                try
                {
                    removed = repository.Remove(name, Vault);
                }
                catch (TSheetsAuthException ex)
                {
                    WriteErrorRecord(ex);
                    continue;
                }

                if (!removed && !wildcard)
                {
                    WriteErrorRecord(ConnectionRepository.NotFound(name, Vault));
                    continue;
                }

                WriteVerboseText($"Removed '{name}' from {where}. TSheets has no way to revoke a token through the API: it stays valid on the server until it expires. To revoke it now, delete it in QuickBooks Time under Feature Add-ons > API (the app's tokens, or API Preferences for tokens made there).");
            }
        }

        /// <summary>
        /// A wildcard that would remove several vault connections (for an MSP, several clients'
        /// companies) asks first, unless -Force or -Confirm:$false (or -WhatIf, -Confirm: ShouldProcess
        /// asks or tells about each one). Where no one can answer, nothing is removed.
        /// </summary>
        private bool Confirmed(IReadOnlyList<string> names)
        {
            if (Force || MyInvocation.BoundParameters.ContainsKey("Confirm") || MyInvocation.BoundParameters.ContainsKey("WhatIf")
                || LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference")))
            {
                return true;
            }

            var listed = string.Join(", ", names.Take(10)) + (names.Count > 10 ? $" and {names.Count - 10} more" : string.Empty);
            var why = InteractionCheck.WhyNoOneCanAnswer(HostFacts.For(this));
            if (why != null)
            {
                throw new TSheetsAuthException(
                    ErrorIds.InteractionRequired,
                    $"Nothing was removed: '{Name}' matches {names.Count} connections with vault '{Vault}' ({listed}), which Disconnect-TSheets removes only when asked, and no one can answer here: {why}. Pass -Force or -Confirm:$false to remove them all, or name one connection.",
                    Name);
            }

            if (ShouldContinue($"Remove {names.Count} TSheets connections matching '{Name}' from the session and vault '{Vault}': {listed}?", "Remove several connections"))
            {
                return true;
            }

            WriteVerboseText("Nothing was removed.");
            return false;
        }
    }
}
