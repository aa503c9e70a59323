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
        /// <summary>
        /// One query per connection a -Name means: itself, or (a wildcard pattern) each matching
        /// connection of the session, the vault, and those remembered in a vault, marked as listed.
        /// </summary>
        public IReadOnlyList<ConnectionQuery> ResolveNames(ConnectionQuery query) => Guard(() =>
        {
            var match = ConnectionNames.Resolve(parts.Repository, query.Name, query.Vault);
            return match.Names.Select(name => query.WithName(name, listed: match.Wildcard)).ToList();
        });

        /// <summary>
        /// One connection's token (the query names it), refreshed first when the query and the
        /// policy say so. One listed by a pattern is never hidden: an expired token that cannot be
        /// refreshed is returned as it is, with a warning saying why and what to do.
        /// </summary>
        public Task<TSheetsToken> GetTokenAsync(ConnectionQuery query, IReporter report, CancellationToken cancellationToken) => GuardAsync(
            async () =>
            {
                if (query.Mode != RefreshMode.Never)
                {
                    parts.GrantTimeout.WarnIfInvalid(report);
                }

                try
                {
                    var connection = await parts.Tokens.GetAsync(Scope(query.Name, query.Vault, query.Network, report, cancellationToken), query.Mode).ConfigureAwait(false);
                    return connection.ToToken(parts.Clock);
                }
                catch (TSheetsAuthException ex) when (query.Listed && (ex.ErrorId == ErrorIds.TokenExpired || ex.ErrorId == ErrorIds.RefreshFailed) && parts.Session.Get(query.Name) != null)
                {
                    report.Warning(ex.Message);
                    return parts.Session.Get(query.Name).ToToken(parts.Clock);
                }
            },
            Given(query.Network));

        /// <summary>
        /// Checks the token and says what storing it will do; nothing is stored yet. Without
        /// -Vault, a connection saved in a vault before is stored there again.
        /// </summary>
        public ChangePlan PlanSetToken(SetTokenOptions options) => Guard(() =>
        {
            var connection = TokenIntake.From(options, parts.Session, ParseClientAuthentication, parts.Clock);
            var vault = options.Vault ?? parts.Repository.VaultOf(connection.Name);
            return new ChangePlan($"TSheets connection '{connection.Name}'", $"Store the token in {Where(vault)}")
            {
                Store = connection,
                Vault = vault,
            };
        });

        /// <summary>
        /// The removals a Disconnect-TSheets means, one per connection the -Name resolves to, each
        /// from the session and the vault it is kept in (-Vault, else the one it was saved in).
        /// </summary>
        public IReadOnlyList<ChangePlan> PlanDisconnect(ConnectionQuery query) => Guard(() =>
        {
            var match = ConnectionNames.Resolve(parts.Repository, query.Name, query.Vault);
            var vaults = match.Names.ToDictionary(name => name, name => query.Vault ?? parts.Repository.VaultOf(name), System.StringComparer.OrdinalIgnoreCase);
            var question = SeveralFromVault(query, match, vaults);
            return match.Names
                .Select(name => new ChangePlan($"TSheets connection '{name}'", $"Remove from {Where(vaults[name])}") { Remove = name, Vault = vaults[name], FromPattern = match.Wildcard, Question = question })
                .ToList();
        });

        /// <summary>
        /// A pattern that would remove several vault connections asks first, unless told not to;
        /// where no one can answer, nothing is removed (<c>InteractionRequired</c>).
        /// </summary>
        private string SeveralFromVault(ConnectionQuery query, NameMatch match, Dictionary<string, string> vaults)
        {
            var names = match.Names.Where(name => vaults[name] != null).ToList();
            if (!match.Wildcard || names.Count < 2 || query.Force)
            {
                return null;
            }

            var listed = string.Join(", ", names.Take(10)) + (names.Count > 10 ? $" and {names.Count - 10} more" : string.Empty);
            var where = Vaults(names, vaults);
            var why = InteractionCheck.WhyNoOneCanAnswer(Facts(query.HostName, query.HostHasUserInterface, query.NonInteractiveSwitch));
            if (why != null)
            {
                throw new TSheetsAuthException(
                    ErrorIds.InteractionRequired,
                    $"Nothing was removed: '{query.Name}' matches {names.Count} connections kept in {where} ({listed}), which Disconnect-TSheets removes only when asked, and no one can answer here: {why}. Pass -Force or -Confirm:$false to remove them all, or name one connection.",
                    query.Name);
            }

            return $"Remove {names.Count} TSheets connections matching '{query.Name}' from the session and {where}: {listed}?";
        }

        private static string Vaults(IEnumerable<string> names, Dictionary<string, string> vaults)
        {
            var distinct = names.Select(name => vaults[name]).Distinct(System.StringComparer.OrdinalIgnoreCase).ToList();
            return distinct.Count == 1 ? $"vault '{distinct[0]}'" : "vaults " + string.Join(", ", distinct.Select(v => $"'{v}'"));
        }

        /// <summary>Makes a planned change: the stored token (a store), or null (a removal).</summary>
        public Task<TSheetsToken> ApplyAsync(ChangePlan plan, IReporter report, CancellationToken cancellationToken) => GuardAsync(async () =>
        {
            if (plan.Remove != null)
            {
                await DisconnectAsync(plan, report).ConfigureAwait(false);
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

        private async Task DisconnectAsync(ChangePlan plan, IReporter report)
        {
            var removal = await parts.Repository.RemoveAsync(plan.Remove, plan.Vault, report).ConfigureAwait(false);
            if (!removal.Any)
            {
                if (!plan.FromPattern)
                {
                    throw ConnectionRepository.NotFound(plan.Remove, plan.Vault);
                }

                return;
            }

            report.Information(Removed(plan, removal));
            report.Verbose("TSheets has no way to revoke a token through the API: it stays valid on the server until it expires. To revoke it now, delete it in QuickBooks Time under Feature Add-ons > API (the app's tokens, or API Preferences for tokens made there).");
        }

        /// <summary>What a removal did, in words: where the connection was removed from, and whether it is forgotten.</summary>
        internal static string Removed(ChangePlan plan, Removal removal)
        {
            var name = plan.Remove;
            var vault = plan.Vault;
            var secret = VaultDocument.SecretName(name);
            if (removal.FromVault)
            {
                var session = removal.FromSession ? "this session and " : string.Empty;
                return $"Removed '{name}' from {session}vault '{vault}' (the secret '{secret}'); new sessions no longer find it.";
            }

            var gone = vault == null ? string.Empty : $" Vault '{vault}' held no secret '{secret}'";
            var forgot = removal.Forgotten ? (vault == null ? " It is forgotten." : "; it is forgotten.") : (vault == null ? string.Empty : ".");
            return removal.FromSession
                ? $"Removed '{name}' from this session.{gone}{forgot}"
                : $"Removed '{name}':{gone}{forgot}";
        }
    }
}
