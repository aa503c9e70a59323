#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using TSheets.Auth.Storage;

namespace TSheets.Auth.Operations
{
    /// <summary>
    /// A change the facade has checked and is ready to make, for the cmdlet to confirm first
    /// (ShouldProcess stays in the cmdlet): what it is about and what it will do, in words.
    /// </summary>
    internal sealed class ChangePlan
    {
        internal ChangePlan(string target, string action)
        {
            Target = target;
            Action = action;
        }

        public string Target { get; }

        public string Action { get; }

        /// <summary>Store: the checked connection to save.</summary>
        internal Connection Store { get; init; }

        /// <summary>Remove: the connection's name.</summary>
        internal string Remove { get; init; }

        internal string Vault { get; init; }

        /// <summary>
        /// A question to ask once before the whole batch (a pattern that would remove several vault
        /// connections: for an MSP, several clients' companies); null when none is needed.
        /// </summary>
        public string Question { get; init; }

        /// <summary>Remove: the name came from a pattern, so finding nothing is no error.</summary>
        internal bool FromPattern { get; init; }
    }
}
