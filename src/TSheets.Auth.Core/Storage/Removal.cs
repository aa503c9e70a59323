#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

namespace TSheets.Auth.Storage
{
    /// <summary>What a removal removed.</summary>
    internal sealed class Removal
    {
        public bool FromSession { get; set; }

        public bool FromVault { get; set; }

        /// <summary>It was remembered (in the vault removed from) and is no longer.</summary>
        public bool Forgotten { get; set; }

        public bool Any => FromSession || FromVault || Forgotten;
    }
}
