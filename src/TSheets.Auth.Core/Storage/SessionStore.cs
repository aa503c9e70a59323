using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace TSheets.Auth
{
    /// <summary>
    /// The process-wide store of connections, keyed by name (case-insensitive). A binary module's
    /// assembly is loaded once per process, so every runspace (<c>ForEach-Object -Parallel</c>
    /// included) shares it; it also holds the refreshes in flight, so that any number of runspaces
    /// asking at once share one request. Tests swap <see cref="Current"/>.
    /// </summary>
    internal sealed class SessionStore
    {
        private static SessionStore current = new SessionStore();

        private readonly ConcurrentDictionary<string, Connection> connections =
            new ConcurrentDictionary<string, Connection>(StringComparer.OrdinalIgnoreCase);

        static SessionStore()
        {
            Redactor.SecretsInPlay = () => Current.Secrets().Concat(new[] { EnvironmentToken.Text() });
        }

        public static SessionStore Current
        {
            get => Volatile.Read(ref current);
            set => Volatile.Write(ref current, value ?? throw new ArgumentNullException(nameof(value)));
        }

        public SingleFlight<RefreshOutcome> Refreshes { get; } = new SingleFlight<RefreshOutcome>();

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
