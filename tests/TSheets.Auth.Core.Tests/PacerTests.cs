using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using TSheets.Auth.Common;
using TSheets.Auth.Http;

namespace TSheets.Auth.Tests
{
    public class PacerTests
    {
        private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);
        private readonly FakeClock clock = new FakeClock(Samples.Start);
        private readonly RecordingReporter report = new RecordingReporter();

        private static string Times(IEnumerable<(DateTimeOffset Start, DateTimeOffset? Finish)> calls) =>
            string.Join("\n", calls.Select((c, i) => $"{i}: start +{(c.Start - Samples.Start).TotalSeconds:0.###} s, finish +{((c.Finish ?? c.Start) - Samples.Start).TotalSeconds:0.###} s"));

        /// <summary>
        /// 25 calls from 5 tasks on one token. The tasks run on one exclusive scheduler, so an
        /// acquisition and the reading of the clock after it happen together (no task moves the
        /// fake clock in between); they interleave while their calls are "on the wire".
        /// </summary>
        [Fact]
        public async Task NeverStartsMoreThanTheLimitWithinAWindowAndFreesSlotsAWindowAfterTheAnswer()
        {
            var pacer = new Pacer(clock, () => "10/5");
            var calls = new List<(DateTimeOffset Start, DateTimeOffset? Finish)>();
            var scheduler = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
            var tasks = Enumerable.Range(0, 5).Select(worker => Task.Factory.StartNew(
                async () =>
                {
                    for (var i = 0; i < 5; i++)
                    {
                        var slot = await pacer.AcquireAsync("token-a", report, CancellationToken.None);
                        int index;
                        lock (calls)
                        {
                            index = calls.Count;
                            calls.Add((clock.UtcNow, null));
                        }

                        // The call: it takes a while (0 to 2 s) and lets the other tasks run.
                        await Task.Yield();
                        clock.Advance(TimeSpan.FromSeconds((worker + i) % 3));
                        await Task.Yield();
                        slot.Finish();
                        lock (calls)
                        {
                            calls[index] = (calls[index].Start, clock.UtcNow);
                        }
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.None,
                scheduler).Unwrap()).ToArray();
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(25, calls.Count);
            var starts = calls.Select(c => c.Start).OrderBy(t => t).ToList();
            for (var i = 0; i + 10 < starts.Count; i++)
            {
                Assert.True(starts[i + 10] - starts[i] >= Window, $"11 calls started within {(starts[i + 10] - starts[i]).TotalSeconds} s:\n{Times(calls)}");
            }

            // The stronger rule: when a call starts, fewer than 10 others are in flight or answered within the last window.
            for (var j = 0; j < calls.Count; j++)
            {
                var call = calls[j];
                var holding = Enumerable.Range(0, calls.Count).Count(k => k != j && calls[k].Start <= call.Start && calls[k].Finish.Value + Window > call.Start);
                Assert.True(holding < 10, $"a call started at +{(call.Start - Samples.Start).TotalSeconds} s while {holding} slots were held:\n{Times(calls)}");
            }

            // The tasks did overlap: some call started while another was still on the wire.
            Assert.Contains(Enumerable.Range(0, calls.Count), j => Enumerable.Range(0, calls.Count).Any(k => k != j && calls[k].Start <= calls[j].Start && calls[k].Finish.Value > calls[j].Start));

            // The pacer did hold calls back (25 calls at 10 per 5 s take more than two windows).
            Assert.True(starts.Last() - starts.First() >= Window + Window, Times(calls));
            Assert.Empty(report.Warnings);
        }

        [Fact]
        public async Task ASlotFreesAWindowAfterItsAnswerNotAfterItsStart()
        {
            var pacer = new Pacer(clock, () => "2/5");
            var a = await pacer.AcquireAsync("t", report, CancellationToken.None);
            var b = await pacer.AcquireAsync("t", report, CancellationToken.None);
            Assert.Empty(clock.Delays);
            clock.Advance(TimeSpan.FromSeconds(1));
            a.Finish();
            clock.Advance(TimeSpan.FromSeconds(2));
            b.Finish();

            await pacer.AcquireAsync("t", report, CancellationToken.None);

            var waited = Assert.Single(clock.Delays);
            var startedAfter = clock.UtcNow - Samples.Start;
            // a started at +0 and was answered at +1: its slot frees at +6 (plus a small margin), not at +5.
            Assert.InRange(startedAfter.TotalSeconds, 6, 6.5);
            Assert.InRange(waited.TotalSeconds, 3, 3.5);
        }

        [Fact]
        public async Task FinishingTwiceKeepsTheFirstAnswerTime()
        {
            var pacer = new Pacer(clock, () => "1/5");
            var a = await pacer.AcquireAsync("t", report, CancellationToken.None);
            a.Finish();
            clock.Advance(TimeSpan.FromSeconds(4));
            a.Finish();
            await pacer.AcquireAsync("t", report, CancellationToken.None);
            Assert.InRange((clock.UtcNow - Samples.Start).TotalSeconds, 5, 5.5);
        }

        [Fact]
        public async Task TokensArePacedApart()
        {
            var pacer = new Pacer(clock, () => "1/5");
            (await pacer.AcquireAsync("t1", report, CancellationToken.None)).Finish();
            (await pacer.AcquireAsync("t2", report, CancellationToken.None)).Finish();
            Assert.Empty(clock.Delays);
            (await pacer.AcquireAsync("t1", report, CancellationToken.None)).Finish();
            Assert.Single(clock.Delays);
        }

        [Theory]
        [InlineData("lots")]
        [InlineData("10")]
        [InlineData("0/5")]
        [InlineData("10/0")]
        [InlineData("-1/5")]
        [InlineData("10/5/1")]
        [InlineData("\u001b]52;c;x\u0007/5")]
        public async Task ABadLimitIsOneWarningAndTheTSheetsLimitIsUsed(string text)
        {
            var pacer = new Pacer(clock, () => text);
            var limit = pacer.Limit(report);
            Assert.Equal(300, limit.Calls);
            Assert.Equal(TimeSpan.FromSeconds(300), limit.Window);

            for (var i = 0; i < 300; i++)
            {
                (await pacer.AcquireAsync("t", report, CancellationToken.None)).Finish();
            }

            Assert.Empty(clock.Delays);
            (await pacer.AcquireAsync("t", report, CancellationToken.None)).Finish();
            var waited = Assert.Single(clock.Delays);
            Assert.InRange(waited.TotalSeconds, 300, 301);

            var warning = Assert.Single(report.Warnings);
            Assert.Contains(RateLimit.Variable, warning);
            Assert.Contains("300 calls in 300 s", warning);
            Assert.DoesNotContain("\u001b", warning, StringComparison.Ordinal);
            Assert.DoesNotContain("\u0007", warning, StringComparison.Ordinal);
        }

        [Fact]
        public void ANewValueOfTheVariableIsReadAndNoValueMeansTheTSheetsLimit()
        {
            var text = (string)null;
            var pacer = new Pacer(clock, () => text);
            Assert.Equal(300, pacer.Limit(report).Calls);
            text = "10/5";
            Assert.Equal(10, pacer.Limit(report).Calls);
            Assert.Equal(Window, pacer.Limit(report).Window);
            text = "nonsense";
            Assert.Equal(300, pacer.Limit(report).Calls);
            Assert.Equal(300, pacer.Limit(report).Calls);
            Assert.Single(report.Warnings);
        }

        [Fact]
        public async Task HoldUntilDelaysTheNextCallOnThatTokenOnly()
        {
            var pacer = new Pacer(clock, () => "100/5");
            pacer.HoldUntil("t", Samples.Start.AddSeconds(7));
            pacer.HoldUntil("t", Samples.Start.AddSeconds(3)); // an earlier hold does not shorten it

            (await pacer.AcquireAsync("other", report, CancellationToken.None)).Finish();
            Assert.Empty(clock.Delays);

            (await pacer.AcquireAsync("t", report, CancellationToken.None)).Finish();
            Assert.Equal(new[] { TimeSpan.FromSeconds(7) }, clock.Delays.ToArray());
            Assert.Equal(Samples.Start.AddSeconds(7), clock.UtcNow);

            (await pacer.AcquireAsync("t", report, CancellationToken.None)).Finish();
            Assert.Single(clock.Delays);
        }

        [Fact]
        public async Task SaysOncePerWaitThatItIsWaitingEvenWhenTheWaitIsExtended()
        {
            Pacer pacer = null;
            pacer = new Pacer(new HookedClock(clock, delayIndex =>
            {
                if (delayIndex == 0)
                {
                    // Another runspace met a 429 meanwhile: the hold grows while this call waits.
                    pacer.HoldUntil("t", Samples.Start.AddSeconds(4));
                }
            }), () => "100/5");

            (await pacer.AcquireAsync("t", report, CancellationToken.None)).Finish();
            Assert.Empty(report.Verbose);

            pacer.HoldUntil("t", Samples.Start.AddSeconds(2));
            (await pacer.AcquireAsync("t", report, CancellationToken.None)).Finish();
            Assert.Equal(new[] { TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2) }, clock.Delays.ToArray());
            var said = Assert.Single(report.Verbose);
            Assert.StartsWith("Pacing calls on this token at 100 calls in 5 s: waiting 2.0 s", said);

            pacer.HoldUntil("t", Samples.Start.AddSeconds(10));
            (await pacer.AcquireAsync("t", report, CancellationToken.None)).Finish();
            Assert.Equal(2, report.Verbose.Count);
            Assert.Contains("waiting 6.0 s", report.Verbose.Last());
        }

        [Fact]
        public async Task CancellationEndsAWaitAndTakesNoSlot()
        {
            var waiting = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var blocking = new BlockingClock(clock, () => waiting.TrySetResult(true));
            var pacer = new Pacer(blocking, () => "1/5");
            var held = await pacer.AcquireAsync("t", report, CancellationToken.None);

            using var cancel = new CancellationTokenSource();
            var wait = pacer.AcquireAsync("t", report, cancel.Token);
            await waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(wait.IsCompleted);
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(TimeSpan.FromSeconds(30)));

            // The cancelled wait took no slot: once the held call is answered and a window passes, one call may go at once.
            held.Finish();
            clock.Advance(TimeSpan.FromSeconds(6));
            blocking.Blocks = false;
            var next = pacer.AcquireAsync("t", report, CancellationToken.None);
            Assert.True(next.IsCompleted, "the next call should not wait");
            await next;
            Assert.Empty(clock.Delays);
        }

        /// <summary>A FakeClock that lets the test act at each delay (before the time moves).</summary>
        private sealed class HookedClock : IClock
        {
            private readonly FakeClock inner;
            private readonly Action<int> onDelay;
            private int delays;

            public HookedClock(FakeClock inner, Action<int> onDelay)
            {
                this.inner = inner;
                this.onDelay = onDelay;
            }

            public DateTimeOffset UtcNow => inner.UtcNow;

            public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
            {
                onDelay(Interlocked.Increment(ref delays) - 1);
                return inner.DelayAsync(delay, cancellationToken);
            }
        }

        /// <summary>A clock whose delays last until cancelled (while <see cref="Blocks"/>), signalling when one starts.</summary>
        private sealed class BlockingClock : IClock
        {
            private readonly FakeClock inner;
            private readonly Action started;

            public BlockingClock(FakeClock inner, Action started)
            {
                this.inner = inner;
                this.started = started;
            }

            public bool Blocks { get; set; } = true;

            public DateTimeOffset UtcNow => inner.UtcNow;

            public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
            {
                if (!Blocks)
                {
                    return inner.DelayAsync(delay, cancellationToken);
                }

                var task = Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                started();
                return task;
            }
        }
    }
}
