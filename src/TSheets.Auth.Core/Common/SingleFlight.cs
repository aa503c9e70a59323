using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth.Common
{
    /// <summary>
    /// Work keyed by name that any number of callers share: the first caller starts it, the others
    /// join the same task until it ends. Decided under one lock, so concurrent callers share one run.
    /// </summary>
    internal sealed class SingleFlight<T>
    {
        private readonly Dictionary<string, Task<T>> running = new Dictionary<string, Task<T>>(StringComparer.OrdinalIgnoreCase);
        private int calls;

        /// <summary>How many callers have asked so far (tests wait on it instead of sleeping).</summary>
        public int Calls => Volatile.Read(ref calls);

        public Task<T> JoinOrStart(string key, Func<Task<T>> start)
        {
            lock (running)
            {
                calls++;
                if (running.TryGetValue(key, out var task))
                {
                    return task;
                }

                task = start();
                if (!task.IsCompleted)
                {
                    running[key] = task;
                    task.ContinueWith(finished => Forget(key, finished), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                return task;
            }
        }

        private void Forget(string key, Task<T> finished)
        {
            lock (running)
            {
                if (running.TryGetValue(key, out var stored) && stored == finished)
                {
                    running.Remove(key);
                }
            }
        }
    }
}
