#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Collections.Generic;
using System.Linq;
using TSheets.Auth.Common;

namespace TSheets.Auth.Storage
{
    /// <summary>What a -Name resolved to: the names, and whether it was a pattern (then finding none is no error).</summary>
    internal sealed class NameMatch
    {
        public NameMatch(IReadOnlyList<string> names, bool wildcard)
        {
            Names = names;
            Wildcard = wildcard;
        }

        public IReadOnlyList<string> Names { get; }

        public bool Wildcard { get; }
    }

    /// <summary>
    /// A -Name as the user meant it: one connection whose name it is exactly (a name stored before
    /// wildcard characters were refused, like 'c[1]', is that connection, never c1), else a wildcard
    /// over the session and vault, else (not a valid pattern, like '[') one literal name. And the
    /// rule for a new connection's name: no wildcard characters.
    /// </summary>
    internal static class ConnectionNames
    {
        private static readonly char[] WildcardCharacters = { '*', '?', '[', ']' };

        /// <summary>False for a name with <c>* ? [ ]</c>: Get-TSheetsToken and Disconnect-TSheets would reach other connections with it ('c[1]' also c1).</summary>
        public static bool IsValidNewName(string name) => name == null || name.IndexOfAny(WildcardCharacters) < 0;

        public static NameMatch Resolve(ConnectionRepository repository, string name, string vault)
        {
            if (!Wildcard.HasWildcards(name))
            {
                return new NameMatch(new[] { name }, wildcard: false);
            }

            var pattern = Wildcard.TryParse(name);
            if (pattern == null)
            {
                return new NameMatch(new[] { name }, wildcard: false);
            }

            // One listing serves both: the exact name first, then the pattern.
            var all = repository.Names(_ => true, "*", vault);
            var exact = all.FirstOrDefault(candidate => string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase));
            if (exact != null)
            {
                return new NameMatch(new[] { exact }, wildcard: false);
            }

            return new NameMatch(all.Where(pattern.IsMatch).ToList(), wildcard: true);
        }
    }
}
