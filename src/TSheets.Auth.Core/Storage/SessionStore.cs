#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using TSheets.Auth.Common;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// The process-wide store of connections, keyed by name (case-insensitive). The composition
    /// root makes one per process; a binary module's assembly is loaded once per process, so every
    /// runspace (<c>ForEach-Object -Parallel</c> included) shares it. Tests make their own.
    /// </summary>
    internal sealed class SessionStore
    {
        private readonly ConcurrentDictionary<string, Connection> connections =
            new ConcurrentDictionary<string, Connection>(StringComparer.OrdinalIgnoreCase);

        public Connection Get(string name) => connections.TryGetValue(name, out var connection) ? connection : null;

        public IReadOnlyList<Connection> All() => connections.Values.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToList();

        public void Set(Connection connection) => connections[connection.Name] = connection;

        /// <summary>Swaps in <paramref name="replacement"/> only if <paramref name="expected"/> is still stored.</summary>
        public bool Replace(Connection expected, Connection replacement) => connections.TryUpdate(expected.Name, replacement, expected);

        public bool Remove(string name) => connections.TryRemove(name, out _);

        /// <summary>Every secret the session holds, for the redactor (the rare path: text to scrub).</summary>
        public IEnumerable<string> Secrets() =>
            connections.Values.SelectMany(c => new[] { c.AccessToken, c.RefreshToken, c.ClientSecret }).Select(SecureStrings.ToPlainText);
    }
}
