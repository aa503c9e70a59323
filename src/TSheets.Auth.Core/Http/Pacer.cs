using System;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Reporting;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// Client-side pacing per token, so bulk scripts never meet TSheets' limit (a 429 there lasts
    /// until the 5-minute window ends, which no back-off of a few seconds outlasts). One budget per
    /// token for every runspace and every process of the user on the machine: the calls are counted
    /// in the shared book (a file per token in the user's lock folder); where it cannot be used, in
    /// this process's own (<see cref="LocalPaceBook"/>), which -Verbose says. The decision is
    /// <see cref="PaceWindow"/>'s.
    /// </summary>
    internal sealed class Pacer
    {
        private readonly IClock clock;
        private readonly Func<string?> limitText;
        private readonly IPaceBook? shared;
        private readonly LocalPaceBook local;
        private readonly object gate = new object();
        private string? lastText;
        private RateLimit limit = RateLimit.TSheets;

        /// <param name="clock">Reads the time and waits.</param>
        /// <param name="limitText">Reads <see cref="RateLimit.Variable"/> (at each call: a script may change it).</param>
        /// <param name="shared">The book every process of the user shares; null: this process's alone.</param>
        /// <param name="process">This process's id in the books (a test's stand-in); null: the real one.</param>
        public Pacer(IClock clock, Func<string?> limitText, IPaceBook? shared = null, int? process = null)
        {
            this.clock = clock ?? throw new ArgumentNullException(nameof(clock));
            this.limitText = limitText ?? throw new ArgumentNullException(nameof(limitText));
            this.shared = shared;
            local = new LocalPaceBook(process ?? ThisProcess.Id);
        }

        /// <summary>The limit in force (<c>TSHEETS_AUTH_RATE_LIMIT</c>, else TSheets' own); a bad value is reported and ignored.</summary>
        public RateLimit Limit(IReporter report)
        {
            var text = limitText();
            lock (gate)
            {
                if (!string.Equals(text, lastText, StringComparison.Ordinal))
                {
                    lastText = text;
                    var parsed = string.IsNullOrWhiteSpace(text) ? RateLimit.TSheets : RateLimit.Parse(text);
                    limit = parsed ?? RateLimit.TSheets;
                    if (parsed == null)
                    {
                        report.Warning($"{RateLimit.Variable} must be 'N/S' (N calls in any S seconds, e.g. '300/300'); '{Text.FromServer(text, 40)}' is not, so TSheets' own limit ({limit}) is used.");
                    }
                }

                return limit;
            }
        }

        /// <summary>Waits until a call on <paramref name="tokenKey"/> may be sent, and takes its slot.</summary>
        public async Task<Slot> AcquireAsync(string tokenKey, IReporter report, CancellationToken cancellationToken)
        {
            var rate = Limit(report);
            var said = false;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var now = clock.UtcNow;
                IPaceBook book = local;
                var attempt = shared?.TryTake(tokenKey, rate, now);
                if (attempt?.Unusable == null && attempt != null)
                {
                    book = shared!;
                }
                else
                {
                    if (attempt?.Unusable != null)
                    {
                        report.Verbose($"Pacing this token within this process only: {attempt.Unusable}.");
                    }

                    attempt = local.TryTake(tokenKey, rate, now);
                }

                if (attempt.Ticket != null)
                {
                    return new Slot(this, book, attempt.Ticket);
                }

                var wait = new DateTimeOffset(attempt.Decision.WaitUntil, TimeSpan.Zero) - now;
                if (!said)
                {
                    said = true;
                    report.Verbose(attempt.Decision.OthersCounted
                        ? $"Pacing calls on this token at {rate}: waiting {wait.TotalSeconds:0.0} s, for calls other processes made on it too (one budget per token for every process of this user)."
                        : $"Pacing calls on this token at {rate}: waiting {wait.TotalSeconds:0.0} s before the next call.");
                }

                await clock.DelayAsync(wait, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>No call on <paramref name="tokenKey"/> before <paramref name="until"/>, in any process (after a 429 the pacer could not foresee).</summary>
        public void HoldUntil(string tokenKey, DateTimeOffset until)
        {
            shared?.Hold(tokenKey, until);
            local.Hold(tokenKey, until);
        }

        /// <summary>One call's place in its token's window.</summary>
        internal sealed class Slot
        {
            private readonly Pacer owner;
            private readonly IPaceBook book;
            private readonly PaceTicket ticket;
            private int finished;

            public Slot(Pacer owner, IPaceBook book, PaceTicket ticket)
            {
                this.owner = owner;
                this.book = book;
                this.ticket = ticket;
            }

            /// <summary>The answer is in (or the call failed): the slot frees a window from now. Only the first time counts.</summary>
            public void Finish()
            {
                if (Interlocked.Exchange(ref finished, 1) == 0)
                {
                    book.Finish(ticket, owner.clock.UtcNow);
                }
            }
        }
    }
}
