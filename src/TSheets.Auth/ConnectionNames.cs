using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace TSheets.Auth.Commands
{
    /// <summary>Connection names matching a wildcard, from the session and (with a vault) the vault.</summary>
    internal static class ConnectionNames
    {
        public static IReadOnlyList<string> Matching(SessionStore store, string pattern, string vault)
        {
            var wildcard = new WildcardPattern(pattern, WildcardOptions.IgnoreCase);
            var names = store.All().Select(c => c.Name).Where(wildcard.IsMatch);
            if (vault != null)
            {
                var prefix = VaultDocument.SecretPrefix;
                var stored = SecretManagementVault.Instance.List(vault, prefix + pattern)
                    .Where(secret => secret.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .Select(secret => secret.Substring(prefix.Length))
                    .Where(wildcard.IsMatch);
                names = names.Concat(stored);
            }

            return names.Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToList();
        }
    }
}
