#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Threading;
using TSheets.Auth.Http;
using TSheets.Auth.Reporting;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// What one operation on a connection carries through every layer, made once by the operation
    /// instead of being threaded as loose parameters: the connection's name and vault, who hears
    /// what happens, how the network is reached (a refresh made on the way uses the same settings
    /// as the call that needed it), and the cancellation (Ctrl+C).
    /// </summary>
    internal sealed class CallScope
    {
        public CallScope(string name, string vault, IReporter report, NetworkSettings network, CancellationToken cancellation)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Vault = vault;
            Report = report ?? NullReporter.Instance;
            Network = network ?? NetworkSettings.Default;
            Cancellation = cancellation;
        }

        public string Name { get; }

        /// <summary>The vault to look in and save to; null: the session only.</summary>
        public string Vault { get; }

        public IReporter Report { get; }

        public NetworkSettings Network { get; }

        public CancellationToken Cancellation { get; }

        /// <summary>The same scope for another connection (a -Name pattern resolved to several).</summary>
        public CallScope For(string name) => new CallScope(name, Vault, Report, Network, Cancellation);
    }
}
