using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth
{
    /// <summary>
    /// The process-wide store of connections, keyed by name (case-insensitive). A binary module's
    /// assembly is loaded once per process, so every runspace (<c>ForEach-Object -Parallel</c>
    /// included) shares it. It also holds the refreshes in flight, so that any number of
    /// runspaces asking at once share one request. Tests swap <see cref="Current"/>.
    /// </summary>
    internal sealed class SessionStore
    {
        private static SessionStore current = new SessionStore();

        private readonly ConcurrentDictionary<string, Connection> connections =
            new ConcurrentDictionary<string, Connection>(StringComparer.OrdinalIgnoreCase);

        private readonly Dictionary<string, Task<RefreshResult>> refreshes =
            new Dictionary<string, Task<RefreshResult>>(StringComparer.OrdinalIgnoreCase);

        public static SessionStore Current
        {
            get => Volatile.Read(ref current);
            set => Volatile.Write(ref current, value ?? throw new ArgumentNullException(nameof(value)));
        }

        public Connection Get(string name) => connections.TryGetValue(name, out var connection) ? connection : null;

        public IReadOnlyList<Connection> All() => connections.Values.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToList();

        public void Set(Connection connection) => connections[connection.Name] = connection;

        /// <summary>Swaps in <paramref name="replacement"/> only if <paramref name="expected"/> is still stored.</summary>
        public bool Replace(Connection expected, Connection replacement) => connections.TryUpdate(expected.Name, replacement, expected);

        public bool Remove(string name) => connections.TryRemove(name, out _);

        /// <summary>
        /// The refresh of <paramref name="name"/> already running, or the one <paramref name="start"/>
        /// begins: decided under one lock, so concurrent callers share a single request.
        /// <paramref name="start"/> returns null when no refresh is needed after all.
        /// </summary>
        public Task<RefreshResult> JoinOrStartRefresh(string name, Func<Task<RefreshResult>> start)
        {
            lock (refreshes)
            {
                if (refreshes.TryGetValue(name, out var running))
                {
                    return running;
                }

                var task = start();
                if (task != null && !task.IsCompleted)
                {
                    refreshes[name] = task;
                    task.ContinueWith(
                        finished =>
                        {
                            lock (refreshes)
                            {
                                if (refreshes.TryGetValue(name, out var stored) && stored == finished)
                                {
                                    refreshes.Remove(name);
                                }
                            }
                        },
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                }

                return task;
            }
        }
    }
}
