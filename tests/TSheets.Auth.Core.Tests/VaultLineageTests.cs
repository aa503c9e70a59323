using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using TSheets.Auth.Common;
using TSheets.Auth.OAuth;
using TSheets.Auth.Reporting;
using TSheets.Auth.Storage;
using TSheets.Auth.Tokens;

namespace TSheets.Auth.Tests
{
    /// <summary>
    /// Which pair is newest, decided by lineage (the record beside the lock), never by issue times
    /// another machine's clock wrote; an older pair put back into the vault by a stale copy of the
    /// store is found and either written over or explained; a rotation made elsewhere is adopted at
    /// the next call of a long-running session.
    /// </summary>
    public sealed class VaultLineageTests : IDisposable
    {
        private const string Vault = VaultProcess.VaultName;
        private readonly string name = "c" + Guid.NewGuid().ToString("n").Substring(0, 8);
        private readonly TempFolder machine = new TempFolder();
        private readonly VaultBacking backing = new VaultBacking();
        private readonly FakeTokenServer server = new FakeTokenServer(Samples.RefreshToken);

        public void Dispose() => machine.Dispose();

        private VaultProcess NewProcess(IClock clock = null, bool localToMachine = false)
        {
            var process = new VaultProcess(backing, machine.Path, cachesPerProcess: true, server.Handler(), clock);
            process.Vault.LocalToMachine = localToMachine;
            return process;
        }

        private string StoredText => backing.Secrets[Vault + "/" + VaultDocument.SecretName(name)];

        private Connection Stored() => VaultDocument.Parse(SecureStrings.FromPlainText(StoredText), name, Vault);

        private async Task StorePair(DateTimeOffset issuedOn, TimeSpan lifetime) =>
            await NewProcess().Repository.SaveAsync(Samples.Connection(name, issuedOn, lifetime), new CallScope("(saved)", Vault, NullReporter.Instance, null, CancellationToken.None));

        [Fact]
        public async Task ThreeJobsOnAPairIssuedInTheFutureByAnotherClockRefreshOnceAndAllSucceed()
        {
            // Another machine's clock ten minutes ahead wrote the issue time; the pair has expired by ours.
            var now = DateTimeOffset.UtcNow;
            await StorePair(now.AddMinutes(10), TimeSpan.FromMinutes(-11) - TimeSpan.FromMinutes(10));
            var jobs = Enumerable.Range(0, 3).Select(_ => NewProcess()).ToList();
            foreach (var job in jobs)
            {
                await job.GetAsync(RefreshMode.Never, name).ContinueWith(_ => { });   // each has the expired pair
            }

            var tokens = await Task.WhenAll(jobs.Select(job => Task.Run(() => job.GetAsync(RefreshMode.Auto, name))));

            Assert.Equal(1, server.Refreshes);
            Assert.Single(tokens.Select(t => Samples.Plain(t.AccessToken)).Distinct());
            Assert.All(jobs, job => Assert.Empty(job.Report.Warnings));
            Assert.All(jobs, job => Assert.Empty(job.Report.Errors));
        }

        [Fact]
        public async Task ThreeJobsForcingARefreshOfAPairIssuedIn2099RefreshOnceAndNoneFallsBackToTheOldToken()
        {
            await StorePair(new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(10));
            var jobs = Enumerable.Range(0, 3).Select(_ => NewProcess()).ToList();
            foreach (var job in jobs)
            {
                await job.GetAsync(RefreshMode.Never, name);
            }

            var tokens = await Task.WhenAll(jobs.Select(job => Task.Run(() => job.GetAsync(RefreshMode.Force, name))));

            Assert.Equal(1, server.Refreshes);
            Assert.Single(tokens.Select(t => Samples.Plain(t.AccessToken)).Distinct());
            Assert.DoesNotContain(Samples.AccessToken, tokens.Select(t => Samples.Plain(t.AccessToken)));
            Assert.All(jobs, job => Assert.Empty(job.Report.Warnings));
        }

        [Fact]
        public async Task ALongRunningSessionAdoptsARotationMadeElsewhereAtItsNextCallWithoutARefresh()
        {
            await StorePair(DateTimeOffset.UtcNow.AddMinutes(-1), TimeSpan.FromDays(10));
            var service = NewProcess();
            var old = await service.GetAsync(RefreshMode.Auto, name);
            var rotated = await NewProcess().GetAsync(RefreshMode.Force, name);

            var next = await service.GetAsync(RefreshMode.Auto, name);

            Assert.Equal(1, server.Refreshes);
            Assert.True(next.HasSameTokens(rotated));
            Assert.False(next.HasSameTokens(old));
            Assert.Same(next, service.Session.Get(name));
            Assert.Contains(service.Report.Verbose, line => line.Contains("Adopted the pair another process stored"));
        }

        [Fact]
        public async Task ASessionHoldingTheNewestPairWritesItBackOverAnOlderOneAStaleCopyPutBackBeforeRefreshing()
        {
            await StorePair(DateTimeOffset.UtcNow.AddMinutes(-1), TimeSpan.FromDays(10));
            var oldText = StoredText;
            var session = NewProcess();
            var newest = await session.GetAsync(RefreshMode.Force, name);
            backing.Secrets[Vault + "/" + VaultDocument.SecretName(name)] = oldText;   // a stale copy of the store wrote it back
            string inVaultAtTheRefresh = null;
            server.BeforeAnswer = () =>
            {
                inVaultAtTheRefresh = StoredText;
                return Task.CompletedTask;
            };

            var refreshed = await session.GetAsync(RefreshMode.Force, name);

            Assert.True(VaultDocument.Parse(SecureStrings.FromPlainText(inVaultAtTheRefresh), name, Vault).HasSameTokens(newest));
            Assert.True(Stored().HasSameTokens(refreshed));
            Assert.Equal(2, server.Refreshes);
            Assert.Contains(session.Report.Verbose, line => line.Contains("wrote this session's pair back"));
        }

        [Fact]
        public async Task AJobThatFindsAnOlderPairPutBackSaysWhatHappenedAndWhatToRunNotABareInvalidGrant()
        {
            await StorePair(DateTimeOffset.UtcNow.AddMinutes(-1), TimeSpan.FromMinutes(10));
            var oldText = StoredText;
            await NewProcess().GetAsync(RefreshMode.Force, name);
            backing.Secrets[Vault + "/" + VaultDocument.SecretName(name)] = oldText;
            var clock = new FakeClock(DateTimeOffset.UtcNow.AddMinutes(20));   // the old pair has expired by now
            var job = NewProcess(clock);

            var error = await Assert.ThrowsAsync<TSheetsAuthException>(() => job.GetAsync(RefreshMode.Auto, name));

            Assert.Equal(ErrorIds.RefreshFailed, error.ErrorId);
            Assert.Contains("stale copy of the store", error.Message);
            Assert.Contains($"Connect-TSheets -Name '{name}' -Vault 'Ops' -ClientId 'client-id'", error.Message);
            Assert.Equal(1, server.Refreshes);
            Assert.Empty(clock.Delays);
        }

        [Theory]
        [InlineData(true, false)]   // SecretStore on this machine: nothing to wait for
        [InlineData(false, true)]   // a vault other machines share: the winner's write may be a moment away
        public async Task ARefusedRefreshWaitsForAnotherMachinesPairOnlyInAVaultOtherMachinesShare(bool localToMachine, bool waits)
        {
            await StorePair(DateTimeOffset.UtcNow.AddMinutes(-11), TimeSpan.FromMinutes(10));
            var clock = new FakeClock(DateTimeOffset.UtcNow);
            var job = NewProcess(clock, localToMachine);
            await job.GetAsync(RefreshMode.Never, name).ContinueWith(_ => { });   // loaded (expired)
            using (var otherMachine = new TempFolder())
            {
                await new VaultProcess(backing, otherMachine.Path, true, server.Handler()).GetAsync(RefreshMode.Force, name);
            }

            backing.Secrets.Clear();   // and its write is not there (yet, or ever)

            var error = await Assert.ThrowsAsync<TSheetsAuthException>(() => job.GetAsync(RefreshMode.Auto, name));

            Assert.Equal(ErrorIds.RefreshFailed, error.ErrorId);
            Assert.Equal("invalid_grant", error.ServerError);
            Assert.Equal(waits, clock.Delays.Any());
        }

        [Theory]
        [InlineData(15, false)]   // past the two weeks TSheets keeps a refresh token: no machine could have used it
        [InlineData(1, true)]     // a young pair: another machine may have rotated it a moment ago
        public async Task ADeadRefreshTokenInASharedVaultWaitsOnlyWhenAnotherMachineCouldHaveUsedIt(int daysOld, bool waits)
        {
            var issued = DateTimeOffset.UtcNow.AddDays(-daysOld);
            await NewProcess().Repository.SaveAsync(
                Samples.Connection(name, issued, TimeSpan.FromHours(1), refresh: "deaddeaddeaddeaddeaddeaddeaddeaddeaddead"),
                new CallScope("(saved)", Vault, NullReporter.Instance, null, CancellationToken.None));
            var clock = new FakeClock(DateTimeOffset.UtcNow);
            var job = NewProcess(clock, localToMachine: false);

            var error = await Assert.ThrowsAsync<TSheetsAuthException>(() => job.GetAsync(RefreshMode.Auto, name));

            Assert.Equal(ErrorIds.RefreshFailed, error.ErrorId);
            Assert.Contains($"Sign in again: Connect-TSheets -Name '{name}' -Vault 'Ops' -ClientId 'client-id'", error.Message);
            Assert.Equal(waits, clock.Delays.Any());
            Assert.Equal(waits, job.Report.Verbose.Any(line => line.Contains("looking for its pair", StringComparison.Ordinal)));
        }
    }
}
