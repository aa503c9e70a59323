using System.Collections.Generic;
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
            var store = SessionStore.Current;
            var wildcard = WildcardPattern.ContainsWildcardCharacters(Name);
            IEnumerable<string> names;
            try
            {
                names = wildcard ? ConnectionNames.Matching(store, Name, Vault) : new[] { Name };
            }
            catch (TSheetsAuthException ex)
            {
                WriteError(ex);
                return;
            }

            foreach (var name in names)
            {
                var where = Vault == null ? "the session" : $"the session and vault '{Vault}'";
                if (!ShouldProcess($"TSheets connection '{name}'", $"Remove from {where}"))
                {
                    continue;
                }

                var removed = store.Remove(name);
                if (Vault != null)
                {
                    try
                    {
                        removed |= SecretManagementVault.Instance.Remove(Vault, VaultDocument.SecretName(name));
                    }
                    catch (TSheetsAuthException ex)
                    {
                        WriteError(ex);
                        continue;
                    }
                }

                if (!removed && !wildcard)
                {
                    WriteError(TokenService.NotFound(name));
                    continue;
                }

                WriteVerbose($"Removed '{name}' from {where}. TSheets has no way to revoke a token through the API: it stays valid on the server until it expires. To revoke it now, delete it in QuickBooks Time under Feature Add-ons > API (the app's tokens, or API Preferences for tokens made there).");
            }
        }
    }
}
