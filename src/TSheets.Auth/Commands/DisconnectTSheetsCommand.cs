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
            var repository = ModuleServices.Current.Repository;
            var wildcard = false;
            System.Collections.Generic.IReadOnlyList<string> names;
            try
            {
                names = ConnectionNames.Resolve(repository, Name, Vault, out wildcard);
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
    }
}
