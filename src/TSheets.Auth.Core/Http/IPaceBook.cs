using System;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// Where the pacer counts the calls on each token: this process's memory (<see cref="LocalPaceBook"/>),
    /// or a file per token in the user's lock folder that every process of the user shares
    /// (<c>Storage.SharedPaceBook</c>).
    /// </summary>
    internal interface IPaceBook
    {
        /// <summary>Takes a slot on <paramref name="tokenKey"/> when <see cref="PaceWindow"/> finds room, else says until when to wait.</summary>
        PaceAttempt TryTake(string tokenKey, RateLimit rate, DateTimeOffset now);

        /// <summary>The call of <paramref name="ticket"/> has its answer (or failed) at <paramref name="at"/>.</summary>
        void Finish(PaceTicket ticket, DateTimeOffset at);

        /// <summary>No call on <paramref name="tokenKey"/> before <paramref name="until"/> (a 429 the pacer could not foresee).</summary>
        void Hold(string tokenKey, DateTimeOffset until);
    }

    /// <summary>A slot taken in a book: what finishing it needs.</summary>
    internal sealed class PaceTicket
    {
        public PaceTicket(string tokenKey, PaceRecord record, long offset)
        {
            TokenKey = tokenKey;
            Record = record;
            Offset = offset;
        }

        public string TokenKey { get; }

        public PaceRecord Record { get; }

        /// <summary>Where the book last saw the record (a file offset; -1: nowhere in particular).</summary>
        public long Offset { get; }
    }

    /// <summary>What <see cref="IPaceBook.TryTake"/> did: took a slot, found none free, or could not be used.</summary>
    internal sealed class PaceAttempt
    {
        private PaceAttempt(PaceTicket? ticket, PaceDecision decision, string? unusable)
        {
            Ticket = ticket;
            Decision = decision;
            Unusable = unusable;
        }

        /// <summary>The slot taken; null when none was.</summary>
        public PaceTicket? Ticket { get; }

        public PaceDecision Decision { get; }

        /// <summary>Why the book cannot be used now (the pacer then counts in this process only); null when it could.</summary>
        public string? Unusable { get; }

        public static PaceAttempt Taken(PaceTicket ticket, PaceDecision decision) => new PaceAttempt(ticket, decision, null);

        public static PaceAttempt Full(PaceDecision decision) => new PaceAttempt(null, decision, null);

        public static PaceAttempt CannotUse(string why) => new PaceAttempt(null, default, why);
    }
}
