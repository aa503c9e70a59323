using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Reporting;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// Client-side pacing, per token and shared by every runspace of the process, so a bulk
    /// script never meets TSheets' limit (a 429 there lasts until the 5-minute window ends, which
    /// no back-off of a few seconds outlasts). A call counts from when it is sent until its answer
    /// is in: a slot frees a full window after the answer of the call that held it, so the server,
    /// whatever the network delays, never sees more than the limit in any window.
    /// </summary>
    internal sealed class Pacer
    {
        /// <summary>Clock granularity and the server's own window edge: a slot frees this much later.</summary>
        private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(20);

        private readonly Dictionary<string, Window> windows = new Dictionary<string, Window>(StringComparer.Ordinal);
        private readonly IClock clock;
        private readonly Func<string?> limitText;
        private string? lastText;
        private RateLimit limit = RateLimit.TSheets;

        /// <param name="clock">Reads the time and waits.</param>
        /// <param name="limitText">Reads <see cref="RateLimit.Variable"/> (at each call: a script may change it).</param>
        public Pacer(IClock clock, Func<string?> limitText)
        {
            this.clock = clock ?? throw new ArgumentNullException(nameof(clock));
            this.limitText = limitText ?? throw new ArgumentNullException(nameof(limitText));
        }

        /// <summary>The limit in force (<c>TSHEETS_AUTH_RATE_LIMIT</c>, else TSheets' own); a bad value is reported and ignored.</summary>
        public RateLimit Limit(IReporter report)
        {
            var text = limitText();
            lock (windows)
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
                TimeSpan wait;
                lock (windows)
                {
                    var window = WindowFor(tokenKey);
                    var now = clock.UtcNow;
                    // Oldest first: a slot leaves once its call's answer is a window old. A call still
                    // in flight at the front keeps the ones behind it counted too (never too few).
                    while (window.Slots.Count > 0 && window.Slots.Peek().Finished is DateTimeOffset finished && finished + rate.Window + Margin <= now)
                    {
                        window.Slots.Dequeue();
                    }

                    if (window.HeldUntil <= now && window.Slots.Count < rate.Calls)
                    {
                        var slot = new Slot(this);
                        window.Slots.Enqueue(slot);
                        return slot;
                    }

                    // An unfinished call frees its slot a window after its answer, so at least a window from now.
                    var freeAt = window.Slots.Count < rate.Calls ? now : (window.Slots.Peek().Finished ?? now) + rate.Window + Margin;
                    wait = (window.HeldUntil > freeAt ? window.HeldUntil : freeAt) - now;
                }

                if (!said)
                {
                    said = true;
                    report.Verbose($"Pacing calls on this token at {rate}: waiting {wait.TotalSeconds:0.0} s before the next call.");
                }

                await clock.DelayAsync(wait, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>No call on <paramref name="tokenKey"/> before <paramref name="until"/> (after a 429 the pacer could not foresee).</summary>
        public void HoldUntil(string tokenKey, DateTimeOffset until)
        {
            lock (windows)
            {
                var window = WindowFor(tokenKey);
                if (until > window.HeldUntil)
                {
                    window.HeldUntil = until;
                }
            }
        }

        private Window WindowFor(string tokenKey)
        {
            if (!windows.TryGetValue(tokenKey, out var window))
            {
                if (windows.Count > 1000)
                {
                    // Tokens long unused (refreshed away): forget their empty windows.
                    var now = clock.UtcNow;
                    foreach (var idle in windows.Where(w => w.Value.HeldUntil <= now && w.Value.Slots.All(slot => slot.Finished.HasValue && slot.Finished.Value + limit.Window + Margin <= now)).Select(w => w.Key).ToList())
                    {
                        windows.Remove(idle);
                    }
                }

                window = new Window();
                windows[tokenKey] = window;
            }

            return window;
        }

        /// <summary>One call's place in its token's window.</summary>
        internal sealed class Slot
        {
            private readonly Pacer owner;

            public Slot(Pacer owner) => this.owner = owner;

            public DateTimeOffset? Finished { get; private set; }

            /// <summary>The answer is in (or the call failed): the slot frees a window from now.</summary>
            public void Finish()
            {
                lock (owner.windows)
                {
                    Finished = Finished ?? owner.clock.UtcNow;
                }
            }
        }

        private sealed class Window
        {
            public Queue<Slot> Slots { get; } = new Queue<Slot>();

            public DateTimeOffset HeldUntil { get; set; }
        }
    }
}
