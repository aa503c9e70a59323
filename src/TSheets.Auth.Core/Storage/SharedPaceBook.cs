#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.IO;
using System.Threading;
using TSheets.Auth.Http;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// The pacer's book shared by every process of the user: a small file per token (<see cref="PaceFile"/>,
    /// named by the token's fingerprint, never the token) in the user's lock folder, visited under its OS
    /// lock (<see cref="PaceFiles"/>). A call takes its slot in one visit and writes its answer time in
    /// another. While fewer calls than the limit are written, the header alone says there is room (so a
    /// generous limit costs no reading); otherwise every call is read and <see cref="PaceWindow"/> decides,
    /// and calls that no longer count are dropped when they outnumber the others. Where the folder or the
    /// file cannot be used, the pacer is told why and counts in its own process.
    /// </summary>
    internal sealed class SharedPaceBook : IPaceBook
    {
        /// <summary>Past this many records the whole book is read now and then (every <see cref="TidyEvery"/> calls) to drop the dead.</summary>
        private const int TidyFrom = 1024;
        private const int TidyEvery = 256;

        private readonly PaceFiles files;
        private readonly int process;
        private int sequence;

        /// <param name="folder">The user's lock folder.</param>
        /// <param name="process">This process's id (a test's stand-in for another process).</param>
        public SharedPaceBook(LockFolder folder, int process)
        {
            files = new PaceFiles(folder);
            this.process = process;
        }

        public PaceAttempt TryTake(string tokenKey, RateLimit rate, DateTimeOffset now)
        {
            var visit = files.Open(tokenKey, out var why);
            if (visit == null)
            {
                return PaceAttempt.CannotUse(why);
            }

            using (visit)
            {
                try
                {
                    return Take(visit.File, tokenKey, rate, now.UtcTicks);
                }
                catch (IOException ex)
                {
                    visit.Discard();
                    return PaceAttempt.CannotUse($"the pacing file cannot be used: {ex.Message}");
                }
            }
        }

        public void Finish(PaceTicket ticket, DateTimeOffset at) => Visit(ticket.TokenKey, file => PaceFile.Finish(file, ticket, at.UtcTicks));

        public void Hold(string tokenKey, DateTimeOffset until) => Visit(tokenKey, file =>
        {
            var book = PaceFile.Read(file);
            if (until.UtcTicks > book.HeldUntil)
            {
                book.HeldUntil = until.UtcTicks;
                book.Rewrite(file);
            }
        });

        private PaceAttempt Take(FileStream file, string tokenKey, RateLimit rate, long now)
        {
            var record = new PaceRecord(now, 0, process, Interlocked.Increment(ref sequence));
            if (PaceFile.TryReadHeader(file, out var heldUntil, out var count) && heldUntil <= now && count < rate.Calls && (count < TidyFrom || count % TidyEvery != 0))
            {
                // Fewer calls written than the limit: room, whichever of them still count.
                var offset = PaceFile.AppendAfter(file, count, record);
                return PaceAttempt.Taken(new PaceTicket(tokenKey, record, offset), new PaceDecision(true, now, count, false));
            }

            var book = PaceFile.Read(file);
            var decision = PaceWindow.Decide(book.Records, book.HeldUntil, rate, now, process);
            if (!decision.Room)
            {
                return PaceAttempt.Full(decision);
            }

            if (book.Valid && book.Records.Count - decision.Counted > Math.Max(16, decision.Counted))
            {
                // More calls that no longer count than calls that do: the living are written back alone.
                book.Records.RemoveAll(r => PaceWindow.FreesAt(r, rate, now, process) <= now);
                book.Records.Add(record);
                book.Rewrite(file);
                return PaceAttempt.Taken(new PaceTicket(tokenKey, record, PaceFile.HeaderSize + ((long)(book.Records.Count - 1) * PaceFile.RecordSize)), decision);
            }

            return PaceAttempt.Taken(new PaceTicket(tokenKey, record, book.Append(file, record)), decision);
        }

        /// <summary>A visit that changes the file; one that cannot be had changes nothing (the slot frees a window after its start).</summary>
        private void Visit(string tokenKey, Action<FileStream> change)
        {
            var visit = files.Open(tokenKey, out _);
            if (visit == null)
            {
                return;
            }

            using (visit)
            {
                try
                {
                    change(visit.File);
                }
                catch (IOException)
                {
                    visit.Discard();
                }
            }
        }
    }
}
