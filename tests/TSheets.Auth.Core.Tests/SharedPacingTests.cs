using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Http;
using TSheets.Auth.Storage;
using Xunit;

namespace TSheets.Auth.Tests
{
    /// <summary>
    /// One budget per token for every process of the user: pacers standing for two processes (their own
    /// process ids) over one lock folder, on a fake clock. The Pester tests do it with real processes.
    /// </summary>
    public sealed class SharedPacingTests : IDisposable
    {
        private const string Token = "0123456789abcdef";
        private readonly FakeClock clock = new FakeClock(Samples.Start);
        private readonly TempFolder data = new TempFolder();
        private readonly RecordingReporter report = new RecordingReporter();

        public void Dispose() => data.Dispose();

        private string Locks => Path.Combine(data.Path, "locks");

        private Pacer Process(int id, string limit = "3/5") => new Pacer(clock, () => limit, new SharedPaceBook(new LockFolder(Locks), id), id);

        private double Elapsed => (clock.UtcNow - Samples.Start).TotalSeconds;

        [Fact]
        public async Task TwoProcessesShareOneBudgetAndTheWaitSaysOtherProcessesCount()
        {
            var a = Process(1001);
            var b = Process(1002);
            (await a.AcquireAsync(Token, report, CancellationToken.None)).Finish();
            (await a.AcquireAsync(Token, report, CancellationToken.None)).Finish();
            clock.Advance(TimeSpan.FromSeconds(1));
            (await b.AcquireAsync(Token, report, CancellationToken.None)).Finish();
            Assert.Empty(clock.Delays);

            // The fourth call of the token, whichever process makes it, waits for the first to be a window old.
            (await b.AcquireAsync(Token, report, CancellationToken.None)).Finish();
            Assert.InRange(Elapsed, 5, 5.1);
            Assert.Contains(report.Verbose, line => line.StartsWith("Pacing calls on this token at 3 calls in 5 s: waiting 4.0 s, for calls other processes made on it too", StringComparison.Ordinal));

            // Another token has a budget of its own.
            (await a.AcquireAsync("fedcba9876543210", report, CancellationToken.None)).Finish();
            Assert.Single(clock.Delays);
            Assert.Equal(new[] { Token + ".pace", "fedcba9876543210.pace" }, Directory.GetFiles(Locks).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
        }

        [Fact]
        public async Task AProcessThatDiedMidCallHoldsItsSlotsForOneWindowFromTheirStart()
        {
            var dead = Process(1001);
            for (var i = 0; i < 3; i++)
            {
                await dead.AcquireAsync(Token, report, CancellationToken.None);
            }

            // Never finished: the process is gone. Another process waits one window from their start, no longer.
            clock.Advance(TimeSpan.FromSeconds(2));
            (await Process(1002).AcquireAsync(Token, report, CancellationToken.None)).Finish();
            Assert.InRange(Elapsed, 5, 5.1);
        }

        [Fact]
        public async Task ACallStillInFlightInThisProcessKeepsCountingPastAWindow()
        {
            var pacer = Process(1001, "1/5");
            var slow = await pacer.AcquireAsync(Token, report, CancellationToken.None);
            clock.Advance(TimeSpan.FromSeconds(8));
            slow.Finish();
            (await pacer.AcquireAsync(Token, report, CancellationToken.None)).Finish();
            Assert.InRange(Elapsed, 13, 13.1);
        }

        [Fact]
        public async Task AnUnforeseen429InOneProcessHoldsTheWindowForEveryProcess()
        {
            Process(1001, "100/5").HoldUntil(Token, Samples.Start.AddSeconds(5));
            (await Process(1002, "100/5").AcquireAsync(Token, report, CancellationToken.None)).Finish();
            Assert.InRange(Elapsed, 5, 5.01);
        }

        [Fact]
        public async Task AFolderThatCannotBeUsedFallsBackToThisProcessAndSaysWhy()
        {
            File.WriteAllText(Locks, "a file where the lock folder should be");
            var pacer = Process(1001, "1/5");
            (await pacer.AcquireAsync(Token, report, CancellationToken.None)).Finish();
            (await pacer.AcquireAsync(Token, report, CancellationToken.None)).Finish();
            Assert.InRange(Elapsed, 5, 5.1);
            Assert.Contains(report.Verbose, line => line.StartsWith("Pacing this token within this process only: ", StringComparison.Ordinal) && line.Contains(Locks, StringComparison.Ordinal));
        }

        [Fact]
        public async Task ATornOrForeignFileIsAnEmptyBookWrittenAnew()
        {
            Directory.CreateDirectory(Locks);
            File.WriteAllBytes(Path.Combine(Locks, Token + ".pace"), new byte[] { 1, 2, 3, 4, 5 });
            var pacer = Process(1001, "1/5");
            (await pacer.AcquireAsync(Token, report, CancellationToken.None)).Finish();
            Assert.Empty(clock.Delays);
            Assert.Equal(PaceFile.HeaderSize + PaceFile.RecordSize, new FileInfo(Path.Combine(Locks, Token + ".pace")).Length);
            Assert.DoesNotContain(report.Verbose, line => line.StartsWith("Pacing this token within this process only", StringComparison.Ordinal));
        }

        [Fact]
        public async Task CallsThatNoLongerCountAreDroppedSoTheFileStaysSmall()
        {
            var pacer = Process(1001, "40/5");
            for (var i = 0; i < 40; i++)
            {
                (await pacer.AcquireAsync(Token, report, CancellationToken.None)).Finish();
            }

            clock.Advance(TimeSpan.FromSeconds(6));
            (await pacer.AcquireAsync(Token, report, CancellationToken.None)).Finish();
            Assert.Equal(PaceFile.HeaderSize + PaceFile.RecordSize, new FileInfo(Path.Combine(Locks, Token + ".pace")).Length);
        }

        [Fact]
        public void TheFileIsNamedByTheFingerprintAloneAndHoldsNoSecret()
        {
            Assert.Equal("0123456789abcdef.pace", PaceFiles.FileName("0123456789ABCDEF"));
            Assert.Matches("^[0-9a-f]{16}\\.pace$", PaceFiles.FileName("../../etc/passwd"));
        }
    }
}
