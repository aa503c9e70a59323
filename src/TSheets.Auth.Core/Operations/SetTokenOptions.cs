#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Security;

namespace TSheets.Auth.Operations
{
    /// <summary>A token to store, as Set-TSheetsToken was given it: its parts, or a token object from the pipeline.</summary>
    internal sealed class SetTokenOptions
    {
        public SecureString AccessToken { get; set; }

        public SecureString RefreshToken { get; set; }

        /// <summary>Null: unknown.</summary>
        public DateTimeOffset? ExpiresOn { get; set; }

        public string ClientId { get; set; }

        public SecureString ClientSecret { get; set; }

        /// <summary>"Post" (the default) or "Basic".</summary>
        public string ClientAuthentication { get; set; }

        public Uri BaseUri { get; set; }

        /// <summary>A token from the pipeline, instead of the parts above.</summary>
        public TSheetsToken InputObject { get; set; }

        /// <summary>Null: the piped token's name, else <c>default</c>.</summary>
        public string Name { get; set; }

        public string Vault { get; set; }
    }
}
