using System.Collections.Generic;
using System.Management.Automation;

namespace TSheets.Auth.Commands
{
    /// <summary>A -Name as the user meant it: a wildcard over the session and vault, or (not a valid pattern, like '[') one literal name.</summary>
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

            wildcard = true;
            return repository.Names(pattern.IsMatch, name, vault);
        }
    }
}
