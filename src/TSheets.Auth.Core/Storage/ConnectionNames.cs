// Nullable annotations not yet made for this folder (issue 23 started with Common, OAuth, Http, Api and Platform).
#nullable disable

using System.Collections.Generic;

namespace TSheets.Auth
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

    /// <summary>A -Name as the user meant it: a wildcard over the session and vault, or (not a valid pattern, like '[') one literal name.</summary>
    internal static class ConnectionNames
    {
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

            return new NameMatch(repository.Names(pattern.IsMatch, name, vault), wildcard: true);
        }
    }
}
