using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using TSheets.Auth.Common;
using TSheets.Auth.Reporting;
using TSheets.Auth.Storage;
using TSheets.Auth.Tokens;

namespace TSheets.Auth.Tests
{
    /// <summary>
    /// Processes sharing a vault entry, simulated in one test process: each "process" has its own
    /// session store and its own view of the vault (caching like SecretStore, when asked), over
    /// one backing store; a lock folder per machine. Real time (the lock waits are real waits), but
    /// for the write retries, whose delays a fake clock passes at once.
    /// </summary>
    public sealed class VaultRefreshTests : IDisposable
    {
        private const string Vault = "Ops";
        private readonly string name = "c" + Guid.NewGuid().ToString("n").Substring(0, 8);
        private readonly TempFolder machine = new TempFolder();
        private readonly VaultBacking backing = new VaultBacking();
        private readonly FakeTokenServer server = new FakeTokenServer(Samples.RefreshToken);

        public void Dispose() => machine.Dispose();

        private VaultProcess NewProcess(bool caches = true, string lockFolder = null, IClock clock = null) =>
            new VaultProcess(backing, lockFolder ?? machine.Path, caches, server.Handler(), clock);

        /// <summary>A clock for tests of the write retries: their delays pass at once, and are recorded.</summary>
        private static FakeClock RetryClock() => new FakeClock(DateTimeOffset.UtcNow);

        /// <summary>The first pair, stored in the vault by a sign-in, <paramref name="age"/> old out of a 10-minute life.</summary>
        private async Task StoreFirstPair(TimeSpan age)
        {
            var signIn = NewProcess();
            var first = Samples.Connection(name, DateTimeOffset.UtcNow - age, TimeSpan.FromMinutes(10));
            await signIn.Repository.SaveAsync(first, new CallScope("(saved)", Vault, NullReporter.Instance, null, CancellationToken.None));
        }

        private Connection Stored() => VaultDocument.Parse(SecureStrings.FromPlainText(backing.Secrets[Vault + "/" + VaultDocument.SecretName(name)]), name, Vault);

        [Fact]
        public async Task LoadsWithoutARequestThenRefreshesWritesBackAndRecordsThePair()
        {
            await StoreFirstPair(TimeSpan.FromMinutes(1));
            var process = NewProcess();

            var loaded = await process.GetAsync(RefreshMode.Auto, name);
            Assert.Equal(0, server.Refreshes);
            Assert.Equal(Vault, loaded.Vault);
            Assert.Same(loaded, process.Session.Get(name));

            var refreshed = await process.GetAsync(RefreshMode.Force, name);
            Assert.Equal(1, server.Refreshes);
            Assert.True(Stored().HasSameTokens(refreshed));
            Assert.Empty(process.Report.Errors);
            var record = RefreshRecord.Parse(File.ReadAllText(Directory.GetFiles(machine.Path).Single()));
            Assert.Equal(refreshed.PairFingerprint, record.Fingerprint);
            Assert.Equal(2, record.Generation);
        }

        [Theory]
        [InlineData(6)]   // due: past half its life, still valid
        [InlineData(11)]  // expired
        public async Task SixProcessesWithStaleCachesRefreshOnceAndAllGetTheNewPair(int minutesOld)
        {
            await StoreFirstPair(TimeSpan.FromMinutes(minutesOld));
            var processes = Enumerable.Range(0, 6).Select(_ => NewProcess()).ToList();
            foreach (var process in processes)
            {
                // Each one has read the vault (SecretStore now serves it from its cache) and found the pair due.
                await process.GetAsync(RefreshMode.Never, name).ContinueWith(_ => { });
            }

            var tokens = await Task.WhenAll(processes.Select(p => Task.Run(() => p.GetAsync(RefreshMode.Auto, name))));

            Assert.Equal(1, server.Refreshes);
            Assert.Single(tokens.Select(t => Samples.Plain(t.AccessToken)).Distinct());
            Assert.True(Stored().HasSameTokens(tokens[0]));
            Assert.All(processes, p => Assert.Empty(p.Report.Warnings));
            Assert.All(processes, p => Assert.Empty(p.Report.Errors));
            // One read past the cache each: the winner's, to see the vault still holds its pair; the five others', to adopt the new one.
            Assert.Equal(6, processes.Sum(p => p.Vault.FreshReads));
        }

        [Fact]
        public async Task ALongRunningProcessAdoptsThePairAnotherProcessRotated()
        {
            await StoreFirstPair(TimeSpan.FromMinutes(1));
            var service = NewProcess();
            var old = await service.GetAsync(RefreshMode.Auto, name);   // the service's session and cache now hold the first pair
            var job = NewProcess();
            var rotated = await job.GetAsync(RefreshMode.Force, name);

            var adopted = await service.GetAsync(RefreshMode.Force, name);

            Assert.Equal(1, server.Refreshes);
            Assert.True(adopted.HasSameTokens(rotated));
            Assert.False(adopted.HasSameTokens(old));
            Assert.Same(adopted, service.Session.Get(name));
            Assert.Empty(service.Report.Warnings);
        }

        [Fact]
        public async Task MachinesSharingANetworkedVaultAllSucceedAndTheVaultEndsWithAPairThatRefreshes()
        {
            await StoreFirstPair(TimeSpan.FromMinutes(11));
            var folders = Enumerable.Range(0, 4).Select(_ => new TempFolder()).ToList();
            try
            {
                var gate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                var arrived = 0;
                server.BeforeAnswer = async () =>
                {
                    // All four requests are in before any is answered: a real race across machines.
                    if (Interlocked.Increment(ref arrived) == 4)
                    {
                        gate.SetResult(true);
                    }

                    await gate.Task;
                };
                var machines = folders.Select(f => NewProcess(caches: false, lockFolder: f.Path)).ToList();

                var tokens = await Task.WhenAll(machines.Select(m => Task.Run(() => m.GetAsync(RefreshMode.Auto, name))));

                Assert.Equal(1, server.Refreshes);
                Assert.Single(tokens.Select(t => Samples.Plain(t.AccessToken)).Distinct());
                Assert.True(server.IsValid(Samples.Plain(Stored().RefreshToken)));
                Assert.All(machines, m => Assert.Empty(m.Report.Warnings));
            }
            finally
            {
                folders.ForEach(f => f.Dispose());
            }
        }

        [Fact]
        public async Task RetriesAFailedWriteAfterARotation()
        {
            await StoreFirstPair(TimeSpan.FromMinutes(1));
            var clock = RetryClock();
            var process = NewProcess(clock: clock);
            await process.GetAsync(RefreshMode.Auto, name);
            process.Vault.FailingWrites = 2;

            var refreshed = await process.GetAsync(RefreshMode.Force, name);

            Assert.True(Stored().HasSameTokens(refreshed));
            Assert.Empty(process.Report.Errors);
            Assert.Equal(new[] { TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1) }, clock.Delays.Where(d => d == TimeSpan.FromMilliseconds(250) || d == TimeSpan.FromSeconds(1)));
        }

        [Fact]
        public async Task SaysTheSessionHoldsTheOnlyWorkingPairWhenTheWriteKeepsFailingAndReturnsTheToken()
        {
            await StoreFirstPair(TimeSpan.FromMinutes(1));
            var process = NewProcess(clock: RetryClock());
            await process.GetAsync(RefreshMode.Auto, name);
            process.Vault.FailingWrites = 100;
            process.Vault.FailWith = "the disk is full";

            var refreshed = await process.GetAsync(RefreshMode.Force, name);

            Assert.Same(refreshed, process.Session.Get(name));
            Assert.True(server.IsValid(Samples.Plain(refreshed.RefreshToken)));
            var error = Assert.Single(process.Report.Errors);
            Assert.Equal(ErrorIds.VaultError, error.ErrorId);
            Assert.Contains("the disk is full", error.Message);
            Assert.Contains("only working pair", error.Message);
            Assert.Contains($"Get-TSheetsToken -Name '{name}' | Set-TSheetsToken -Vault 'Ops'", error.Message);
            Assert.Equal(3, process.Vault.Writes);
        }

        [Fact]
        public async Task AfterAWriteThatFailedTheNextRefreshUsesTheSessionsPairNotTheOlderOneInTheVault()
        {
            await StoreFirstPair(TimeSpan.FromMinutes(1));
            var process = NewProcess(clock: RetryClock());
            await process.GetAsync(RefreshMode.Auto, name);
            process.Vault.FailingWrites = 100;
            var onlyInSession = await process.GetAsync(RefreshMode.Force, name);
            process.Vault.FailingWrites = 0;

            var next = await process.GetAsync(RefreshMode.Force, name);

            Assert.Equal(2, server.Refreshes);
            Assert.False(next.HasSameTokens(onlyInSession));
            Assert.True(server.IsValid(Samples.Plain(next.RefreshToken)));
            Assert.True(Stored().HasSameTokens(next));
        }

        [Fact]
        public async Task AForcedRefreshRefreshesAPairAnotherProcessRotatedLongAgo()
        {
            await StoreFirstPair(TimeSpan.FromMinutes(4));
            var service = NewProcess();
            await service.GetAsync(RefreshMode.Never, name);
            var job = NewProcess();
            var rotated = await job.GetAsync(RefreshMode.Force, name);
            // As if the job had rotated it two minutes ago: not what -ForceRefresh asks for now.
            var aged = rotated with { IssuedOn = rotated.IssuedOn.Value.AddMinutes(-2), ExpiresOn = rotated.ExpiresOn.Value.AddMinutes(-2) };
            await job.Repository.SaveAsync(aged, new CallScope("(saved)", Vault, NullReporter.Instance, null, CancellationToken.None));

            var forced = await service.GetAsync(RefreshMode.Force, name);

            Assert.Equal(2, server.Refreshes);
            Assert.False(forced.HasSameTokens(rotated));
            Assert.True(server.IsValid(Samples.Plain(forced.RefreshToken)));
        }

        [Fact]
        public async Task ReusesOneLockFileForEveryRefreshAndRemovesItWithTheConnection()
        {
            await StoreFirstPair(TimeSpan.FromMinutes(1));
            var process = NewProcess();
            for (var i = 0; i < 5; i++)
            {
                await process.GetAsync(RefreshMode.Force, name);
            }

            Assert.Equal(5, server.Refreshes);
            Assert.Single(Directory.GetFiles(machine.Path));
            await process.Repository.RemoveAsync(name, Vault, process.Report);
            Assert.Empty(Directory.GetFiles(machine.Path));
        }

        [Fact]
        public async Task KeepsTheTokenInTheSessionWhenSavingToAFailingVault()
        {
            var process = NewProcess();
            process.Vault.FailWith = "disk full";
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => process.Repository.SaveAsync(Samples.Connection(name, DateTimeOffset.UtcNow, TimeSpan.FromDays(1)), new CallScope("(saved)", Vault, NullReporter.Instance, null, CancellationToken.None)));
            Assert.Equal(ErrorIds.VaultError, ex.ErrorId);
            Assert.Contains("is in this session", ex.Message);
            Assert.NotNull(process.Session.Get(name));
        }
    }

    public sealed class VaultLockTests : IDisposable
    {
        private readonly TempFolder folder = new TempFolder();

        public void Dispose() => folder.Dispose();

        [Fact]
        public async Task IsExclusivePerVaultAndConnectionAndFreedOnDispose()
        {
            var locks = new LockFolder(folder.Path);
            var quick = TimeSpan.FromMilliseconds(200);
            using (var first = await VaultLock.AcquireAsync(locks, "Ops", "acme", quick, SystemClock.Instance, CancellationToken.None))
            {
                Assert.NotNull(first);
                Assert.Null(await VaultLock.AcquireAsync(locks, "OPS", "ACME", quick, SystemClock.Instance, CancellationToken.None));
                using (var other = await VaultLock.AcquireAsync(locks, "Other", "acme", quick, SystemClock.Instance, CancellationToken.None))
                {
                    Assert.NotNull(other);
                }
            }

            using (var again = await VaultLock.AcquireAsync(locks, "Ops", "acme", quick, SystemClock.Instance, CancellationToken.None))
            {
                Assert.NotNull(again);
            }
        }

        [Fact]
        public async Task AWaitForTheLockEndsWhenCancelled()
        {
            var locks = new LockFolder(folder.Path);
            using (await VaultLock.AcquireAsync(locks, "Ops", "acme", TimeSpan.FromSeconds(1), SystemClock.Instance, CancellationToken.None))
            using (var cancellation = new CancellationTokenSource())
            {
                var waiting = VaultLock.AcquireAsync(locks, "Ops", "acme", TimeSpan.FromMinutes(5), SystemClock.Instance, cancellation.Token);
                cancellation.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
            }
        }

        [Fact]
        public async Task KeepsItsRecord()
        {
            var locks = new LockFolder(folder.Path);
            var connection = Samples.Connection("acme", Samples.Start, TimeSpan.FromDays(1));
            using (var held = await VaultLock.AcquireAsync(locks, "Ops", "acme", TimeSpan.FromSeconds(1), SystemClock.Instance, CancellationToken.None))
            {
                Assert.Null(held.ReadRecord());
                held.WriteRecord(RefreshRecord.Next(null, connection, Samples.Start));
            }

            using (var held = await VaultLock.AcquireAsync(locks, "Ops", "acme", TimeSpan.FromSeconds(1), SystemClock.Instance, CancellationToken.None))
            {
                var record = held.ReadRecord();
                Assert.Equal((1L, Samples.Start, connection.PairFingerprint), (record.Generation, record.StoredAt, record.Fingerprint));
            }
        }

        [Fact]
        public void MakesTheFolderPrivateToItsUser()
        {
            var path = Path.Combine(folder.Path, "locks");
            Assert.Equal(path, new LockFolder(path).Prepare(out _));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));
            }
        }
    }
}
