using System;
using System.Collections.Generic;

namespace TSheets.Auth.Http
{
    /// <summary>One call counted on a token: when it was sent, when its answer was in (0: not yet), and whose it is.</summary>
    internal struct PaceRecord
    {
        public PaceRecord(long started, long finished, int process, int sequence)
        {
            Started = started;
            Finished = finished;
            Process = process;
            Sequence = sequence;
        }

        /// <summary>UTC ticks of the send.</summary>
        public long Started { get; }

        /// <summary>UTC ticks of the answer; 0 while the call is in flight.</summary>
        public long Finished { get; set; }

        /// <summary>The process that made the call (its id, or a test's stand-in).</summary>
        public int Process { get; }

        /// <summary>Tells the process's calls apart.</summary>
        public int Sequence { get; }
    }

    /// <summary>
    /// The pacer's one decision, over the calls counted on a token by every process that shares it:
    /// may another call be sent now, and if not, until when to wait. A call counts from its send until
    /// a window after its answer (so the server, whatever the network delays, never sees more than the
    /// limit in any window). A call still in flight counts for as long as its own process lives; another
    /// process's call in flight counts until a window after it was sent, so a process that died
    /// mid-call holds nothing longer than one window.
    /// </summary>
    internal static class PaceWindow
    {
        /// <summary>Clock granularity and the server's own window edge: a slot frees this much later.</summary>
        public static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(20);

        /// <summary>When <paramref name="record"/> stops counting, as <paramref name="process"/> sees it.</summary>
        public static long FreesAt(in PaceRecord record, RateLimit rate, long now, int process)
        {
            var hold = rate.Window.Ticks + Margin.Ticks;
            if (record.Finished != 0)
            {
                return record.Finished + hold;
            }

            // Ours and in flight: it frees a window after an answer still to come, so at least a window from now.
            return record.Process == process ? Math.Max(now, record.Started) + hold : record.Started + hold;
        }

        /// <summary>
        /// Whether a call may be sent at <paramref name="now"/>; else when a slot frees (or the hold
        /// after a 429 ends), and whether other processes' calls are among those counted.
        /// </summary>
        public static PaceDecision Decide(IReadOnlyList<PaceRecord> records, long heldUntil, RateLimit rate, long now, int process)
        {
            var counted = 0;
            var others = false;
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                if (FreesAt(record, rate, now, process) > now)
                {
                    counted++;
                    others |= record.Process != process;
                }
            }

            if (heldUntil <= now && counted < rate.Calls)
            {
                return new PaceDecision(true, now, counted, others);
            }

            var until = heldUntil;
            if (counted >= rate.Calls)
            {
                // Full: the slot that frees soonest among those that would leave room.
                var frees = new List<long>(counted);
                for (var i = 0; i < records.Count; i++)
                {
                    var at = FreesAt(records[i], rate, now, process);
                    if (at > now)
                    {
                        frees.Add(at);
                    }
                }

                frees.Sort();
                until = Math.Max(until, frees[counted - rate.Calls]);
            }

            return new PaceDecision(false, Math.Max(until, now + TimeSpan.TicksPerMillisecond), counted, others);
        }
    }

    /// <summary>What <see cref="PaceWindow.Decide"/> found.</summary>
    internal readonly struct PaceDecision
    {
        public PaceDecision(bool room, long waitUntil, int counted, bool others)
        {
            Room = room;
            WaitUntil = waitUntil;
            Counted = counted;
            OthersCounted = others;
        }

        /// <summary>A call may be sent now.</summary>
        public bool Room { get; }

        /// <summary>UTC ticks when to look again (when there is no room).</summary>
        public long WaitUntil { get; }

        /// <summary>How many calls count now.</summary>
        public int Counted { get; }

        /// <summary>Some of them are other processes'.</summary>
        public bool OthersCounted { get; }
    }
}
