using System;
using System.Collections.Generic;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Tokens
{
    /// <summary>When a token lookup may refresh.</summary>
    internal enum RefreshMode
    {
        /// <summary>By policy: past half the lifetime or under five minutes left.</summary>
        Auto,

        /// <summary>Now (<c>-ForceRefresh</c>).</summary>
        Force,

        /// <summary>Never (<c>-NoRefresh</c>).</summary>
        Never,

        /// <summary>Now, because TSheets refused the current token (a 401): a failed refresh is an error, never that token back.</summary>
        Replace,
    }

    /// <summary>What one shared refresh came to, for every caller that joined it.</summary>
    internal sealed class RefreshOutcome
    {
        public RefreshOutcome(Connection connection, TSheetsAuthException? vaultFailure = null, IReadOnlyList<string>? notes = null)
        {
            Connection = connection;
            VaultFailure = vaultFailure;
            Notes = notes ?? Array.Empty<string>();
        }

        public Connection Connection { get; }

        /// <summary>Set when the rotated pair is in the session but could not be written to its vault.</summary>
        public TSheetsAuthException? VaultFailure { get; }

        /// <summary>What happened on the way that a person may want to know (verbose).</summary>
        public IReadOnlyList<string> Notes { get; }
    }
}
