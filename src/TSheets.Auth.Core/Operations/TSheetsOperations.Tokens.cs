#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.Interactive;
using TSheets.Auth.Reporting;
using TSheets.Auth.Storage;
using TSheets.Auth.Tokens;

namespace TSheets.Auth.Operations
{
    /// <summary>Get-TSheetsToken, Set-TSheetsToken and Disconnect-TSheets.</summary>
    internal sealed partial class TSheetsOperations
    {
        /// <summary>The names a -Name means: itself, or (a wildcard pattern) the matching connections of the session and the vault.</summary>
        public IReadOnlyList<string> ResolveNames(ConnectionQuery query) => Guard(() => ConnectionNames.Resolve(parts.Repository, query.Name, query.Vault).Names);

        /// <summary>One connection's token (the query names it), refreshed first when the query and the policy say so.</summary>
        public Task<TSheetsToken> GetTokenAsync(ConnectionQuery query, IReporter report, CancellationToken cancellationToken) => GuardAsync(
            async () =>
            {
                if (query.Mode != RefreshMode.Never)
                {
                    parts.GrantTimeout.WarnIfInvalid(report);
                }

                var connection = await parts.Tokens.GetAsync(Scope(query.Name, query.Vault, query.Network, report, cancellationToken), query.Mode).ConfigureAwait(false);
                return connection.ToToken(parts.Clock);
            },
            Given(query.Network));

        /// <summary>Checks the token and says what storing it will do; nothing is stored yet.</summary>
        public ChangePlan PlanSetToken(SetTokenOptions options) => Guard(() =>
        {
            var connection = TokenIntake.From(options, parts.Session, ParseClientAuthentication, parts.Clock);
            return new ChangePlan($"TSheets connection '{connection.Name}'", $"Store the token in {Where(options.Vault)}")
            {
                Store = connection,
                Vault = options.Vault,
            };
        });

        /// <summary>The removals a Disconnect-TSheets means, one per connection the -Name resolves to.</summary>
        public IReadOnlyList<ChangePlan> PlanDisconnect(ConnectionQuery query) => Guard(() =>
        {
            var match = ConnectionNames.Resolve(parts.Repository, query.Name, query.Vault);
            var question = SeveralFromVault(query, match);
            return match.Names
                .Select(name => new ChangePlan($"TSheets connection '{name}'", $"Remove from {Where(query.Vault)}") { Remove = name, Vault = query.Vault, FromPattern = match.Wildcard, Question = question })
                .ToList();
        });

        /// <summary>
        /// A pattern that would remove several vault connections asks first, unless told not to;
        /// where no one can answer, nothing is removed (<c>InteractionRequired</c>).
        /// </summary>
        private string SeveralFromVault(ConnectionQuery query, NameMatch match)
        {
            var names = match.Names;
            if (!match.Wildcard || query.Vault == null || names.Count < 2 || query.Force)
            {
                return null;
            }

            var listed = string.Join(", ", names.Take(10)) + (names.Count > 10 ? $" and {names.Count - 10} more" : string.Empty);
            var why = InteractionCheck.WhyNoOneCanAnswer(Facts(query.HostName, query.HostHasUserInterface, query.NonInteractiveSwitch));
            if (why != null)
            {
                throw new TSheetsAuthException(
                    ErrorIds.InteractionRequired,
                    $"Nothing was removed: '{query.Name}' matches {names.Count} connections with vault '{query.Vault}' ({listed}), which Disconnect-TSheets removes only when asked, and no one can answer here: {why}. Pass -Force or -Confirm:$false to remove them all, or name one connection.",
                    query.Name);
            }

            return $"Remove {names.Count} TSheets connections matching '{query.Name}' from the session and vault '{query.Vault}': {listed}?";
        }

        /// <summary>Makes a planned change: the stored token (a store), or null (a removal).</summary>
        public Task<TSheetsToken> ApplyAsync(ChangePlan plan, IReporter report, CancellationToken cancellationToken) => GuardAsync(async () =>
        {
            if (plan.Remove != null)
            {
                Disconnect(plan, report);
                return null;
            }

            // Storing reaches no network: no proxy settings to make.
            var connection = await parts.Repository.SaveAsync(plan.Store, new CallScope(plan.Store.Name, plan.Vault, report, NetworkSettings.Default, cancellationToken)).ConfigureAwait(false);
            if (connection.RefreshToken != null && !connection.CanRefresh)
            {
                report.Warning($"The token '{connection.Name}' was stored with a refresh token. {Messages.NoClientCredentials}");
            }

            report.Verbose($"Stored the token '{connection.Name}' in {Where(plan.Vault)}; it is valid until {Messages.Time(connection.ExpiresOn)}.");
            return connection.ToToken(parts.Clock);
        });

        private void Disconnect(ChangePlan plan, IReporter report)
        {
            var removed = parts.Repository.Remove(plan.Remove, plan.Vault);
            if (!removed && !plan.FromPattern)
            {
                throw ConnectionRepository.NotFound(plan.Remove, plan.Vault);
            }

            report.Verbose($"Removed '{plan.Remove}' from {Where(plan.Vault)}. TSheets has no way to revoke a token through the API: it stays valid on the server until it expires. To revoke it now, delete it in QuickBooks Time under Feature Add-ons > API (the app's tokens, or API Preferences for tokens made there).");
        }
    }
}
