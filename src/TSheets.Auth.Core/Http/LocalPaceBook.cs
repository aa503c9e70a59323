using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// The calls on each token in this process's memory, shared by its runspaces: the pacer's book when
    /// the shared one cannot be used (and the only one tests without a folder give it).
    /// </summary>
    internal sealed class LocalPaceBook : IPaceBook
    {
        /// <summary>Tokens long unused (refreshed away) are forgotten once this many are known.</summary>
        private const int MaxTokens = 1000;

        /// <summary>Past this many calls kept, the dead are dropped now and then (every <see cref="TidyEvery"/> calls).</summary>
        private const int TidyFrom = 1024;
        private const int TidyEvery = 256;

        private readonly Dictionary<string, Window> windows = new Dictionary<string, Window>(StringComparer.Ordinal);
        private readonly int process;
        private int sequence;

        /// <param name="process">This process's id (a test's stand-in).</param>
        public LocalPaceBook(int process) => this.process = process;

        public PaceAttempt TryTake(string tokenKey, RateLimit rate, DateTimeOffset now)
        {
            lock (windows)
            {
                ForgetIdle(rate, now.UtcTicks);
                var window = WindowFor(tokenKey);
                var records = window.Records;
                var record = new PaceRecord(now.UtcTicks, 0, process, Interlocked.Increment(ref sequence));
                if (window.HeldUntil <= now.UtcTicks && records.Count < rate.Calls && (records.Count < TidyFrom || records.Count % TidyEvery != 0))
                {
                    // Fewer calls kept than the limit: room, whichever of them still count.
                    records.Add(record);
                    return PaceAttempt.Taken(new PaceTicket(tokenKey, record, -1), new PaceDecision(true, now.UtcTicks, records.Count - 1, false));
                }

                records.RemoveAll(r => PaceWindow.FreesAt(r, rate, now.UtcTicks, process) <= now.UtcTicks);
                var decision = PaceWindow.Decide(records, window.HeldUntil, rate, now.UtcTicks, process);
                if (!decision.Room)
                {
                    return PaceAttempt.Full(decision);
                }

                records.Add(record);
                return PaceAttempt.Taken(new PaceTicket(tokenKey, record, -1), decision);
            }
        }

        public void Finish(PaceTicket ticket, DateTimeOffset at)
        {
            lock (windows)
            {
                if (!windows.TryGetValue(ticket.TokenKey, out var window))
                {
                    return;
                }

                var index = window.Records.FindLastIndex(record => record.Sequence == ticket.Record.Sequence && record.Process == ticket.Record.Process);
                if (index >= 0 && window.Records[index].Finished == 0)
                {
                    var record = window.Records[index];
                    record.Finished = at.UtcTicks;
                    window.Records[index] = record;
                }
            }
        }

        public void Hold(string tokenKey, DateTimeOffset until)
        {
            lock (windows)
            {
                var window = WindowFor(tokenKey);
                window.HeldUntil = Math.Max(window.HeldUntil, until.UtcTicks);
            }
        }

        private Window WindowFor(string tokenKey)
        {
            if (!windows.TryGetValue(tokenKey, out var window))
            {
                window = new Window();
                windows[tokenKey] = window;
            }

            return window;
        }

        private void ForgetIdle(RateLimit rate, long now)
        {
            if (windows.Count <= MaxTokens)
            {
                return;
            }

            foreach (var idle in windows.Where(w => w.Value.HeldUntil <= now && w.Value.Records.All(r => PaceWindow.FreesAt(r, rate, now, process) <= now)).Select(w => w.Key).ToList())
            {
                windows.Remove(idle);
            }
        }

        private sealed class Window
        {
            public List<PaceRecord> Records { get; } = new List<PaceRecord>();

            public long HeldUntil { get; set; }
        }
    }
}
