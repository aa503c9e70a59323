#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using TSheets.Auth.Tokens;

namespace TSheets.Auth.Operations
{
    /// <summary>Which connections a Get-TSheetsToken or Disconnect-TSheets is about, and how a token may be refreshed.</summary>
    internal sealed class ConnectionQuery
    {
        /// <summary>A name, or a wildcard pattern over the session's (and the vault's) connections.</summary>
        public string Name { get; set; } = "default";

        public string Vault { get; set; }

        public bool ForceRefresh { get; set; }

        public bool NoRefresh { get; set; }

        /// <summary>Disconnect: remove several vault connections a pattern matches without asking first (-Force, or -Confirm/-WhatIf given).</summary>
        public bool Force { get; set; }

        /// <summary>The proxy options, for a refresh; null: none given (the proxy variables, else the system's proxy).</summary>
        public NetworkOptions Network { get; set; }

        /// <summary>The PowerShell host's name, for deciding whether a person can answer a question.</summary>
        public string HostName { get; set; }

        public bool HostHasUserInterface { get; set; }

        /// <summary>PowerShell was started with -NonInteractive.</summary>
        public bool NonInteractiveSwitch { get; set; }

        /// <summary>One of the connections a pattern listed: shown even when its token cannot be used (with a warning).</summary>
        public bool Listed { get; set; }

        /// <summary>The same query for one of the names a pattern resolved to.</summary>
        public ConnectionQuery WithName(string name, bool listed = false) => new ConnectionQuery
        {
            Listed = listed,
            Name = name,
            Vault = Vault,
            ForceRefresh = ForceRefresh,
            NoRefresh = NoRefresh,
            Force = Force,
            Network = Network,
            HostName = HostName,
            HostHasUserInterface = HostHasUserInterface,
            NonInteractiveSwitch = NonInteractiveSwitch,
        };

        internal RefreshMode Mode => ForceRefresh ? RefreshMode.Force : NoRefresh ? RefreshMode.Never : RefreshMode.Auto;
    }
}
