#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Collections.Generic;
using System.Linq;
using TSheets.Auth.Common;
using TSheets.Auth.Storage;
using TSheets.Auth.Tokens;

namespace TSheets.Auth.Operations
{
    /// <summary>Get-TSheetsConnection: the status of every connection, read-only.</summary>
    internal sealed partial class TSheetsOperations
    {
        /// <summary>
        /// The connections a -Name (a wildcard; every one by default) matches: the session's, those
        /// remembered in a vault (read from it, never loaded into the session), and the CI token.
        /// Never a request to TSheets, never a refresh, never a secret.
        /// </summary>
        public IReadOnlyList<TSheetsConnection> ListConnections(ConnectionQuery query) => Guard(() =>
        {
            var clock = parts.Clock;
            var found = new Dictionary<string, TSheetsConnection>(StringComparer.OrdinalIgnoreCase);
            foreach (var connection in parts.Session.All())
            {
                found[connection.Name] = ConnectionStatus.Of(connection, connection.Vault == null ? ConnectionSource.Session : ConnectionSource.Vault, inSession: true, clock);
            }

            foreach (var remembered in parts.Repository.Remembered.All().Where(r => !found.ContainsKey(r.Name)))
            {
                found[remembered.Name] = FromVault(remembered);
            }

            var ci = EnvironmentToken.ConnectionName;
            if (!found.ContainsKey(ci) && !string.IsNullOrEmpty(parts.Repository.EnvironmentToken.Text()))
            {
                found[ci] = FromEnvironment();
            }

            var name = query.Name ?? "*";
            var matching = Matching(found, name).Select(n => found[n]).ToList();
            if (matching.Count == 0 && !Wildcard.HasWildcards(name))
            {
                throw ConnectionRepository.NotFound(name, null);
            }

            return matching;
        });

        private TSheetsConnection FromVault(RememberedConnection remembered)
        {
            try
            {
                var stored = parts.Repository.ReadVault(remembered.Name, remembered.Vault);
                return stored == null
                    ? ConnectionStatus.Remembered(remembered, null, parts.Clock)
                    : ConnectionStatus.Of(stored, ConnectionSource.Vault, inSession: false, parts.Clock);
            }
            catch (TSheetsAuthException ex)
            {
                return ConnectionStatus.Remembered(remembered, ex, parts.Clock);
            }
        }

        private TSheetsConnection FromEnvironment()
        {
            try
            {
                return ConnectionStatus.Of(parts.Repository.EnvironmentToken.Find(EnvironmentToken.ConnectionName), ConnectionSource.Environment, inSession: false, parts.Clock);
            }
            catch (TSheetsAuthException ex)
            {
                return ConnectionStatus.Unusable(EnvironmentToken.ConnectionName, ConnectionSource.Environment, ex.Message, $"Fix or unset $env:{EnvironmentToken.TokenVariable} and $env:{EnvironmentToken.BaseUriVariable}.", parts.Clock);
            }
        }

        /// <summary>The names a -Name means: one that matches a name exactly, else the pattern's matches (an invalid pattern names itself).</summary>
        private static IEnumerable<string> Matching(Dictionary<string, TSheetsConnection> found, string name)
        {
            var names = found.Keys.OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToList();
            var exact = names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
            if (exact != null)
            {
                return new[] { exact };
            }

            var pattern = Wildcard.HasWildcards(name) ? Wildcard.TryParse(name) : null;
            return pattern == null ? Enumerable.Empty<string>() : names.Where(pattern.IsMatch);
        }
    }
}
