using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// A -Name as the user meant it: one connection whose name it is exactly (a name stored before
    /// wildcard characters were refused, like 'c[1]', is that connection, never c1), else a wildcard
    /// over the session and vault, else (not a valid pattern, like '[') one literal name.
    /// </summary>
    internal static class ConnectionNames
    {
        public static IReadOnlyList<string> Resolve(ConnectionRepository repository, string name, string vault, out bool wildcard)
        {
            wildcard = false;
            if (!WildcardPattern.ContainsWildcardCharacters(name))
            {
                return new[] { name };
            }

            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            try
            {
                pattern.IsMatch(string.Empty);
            }
            catch (WildcardPatternException)
            {
                return new[] { name };
            }

            // One listing serves both: the exact name first, then the pattern.
            var all = repository.Names(_ => true, "*", vault);
            var exact = all.FirstOrDefault(candidate => string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase));
            if (exact != null)
            {
                return new[] { exact };
            }

            wildcard = true;
            return all.Where(pattern.IsMatch).ToList();
        }
    }
}
