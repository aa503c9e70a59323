using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Storage;
using Xunit;

namespace TSheets.Auth.Tests
{
    /// <summary>
    /// connections.json: where each connection was saved, never a secret; replaced in one step, by
    /// private files only; several writers at once keep each other's entries.
    /// </summary>
    public sealed class RememberedConnectionsTests : IDisposable
    {
        private readonly TempFolder home = new TempFolder();
        private readonly FakeClock clock = new FakeClock(Samples.Start);

        public void Dispose() => home.Dispose();

        private string Data => Path.Combine(home.Path, "TSheets.Auth");

        private RememberedConnections Store(IClock realClock = null) => new RememberedConnections(PrivateFolder.At(Data), realClock ?? clock);

        [Fact]
        public async Task RemembersTheVaultAndTheNonSecretFactsAndNeverASecret()
        {
            var store = Store();
            await store.RememberAsync(Samples.Connection("acme", Samples.Start, TimeSpan.FromDays(10), vault: "Ops") with { UserId = "12345", ClientUrl = "acmeco" }, new RecordingReporter());

            var found = Store().Find("ACME");
            Assert.NotNull(found);
            Assert.Equal("acme", found.Name);
            Assert.Equal("Ops", found.Vault);
            Assert.Equal("client-id", found.ClientId);
            Assert.Equal("12345", found.UserId);
            Assert.Equal("acmeco", found.ClientUrl);
            Assert.Equal(Samples.Start.AddDays(10), found.ExpiresOn);
            Assert.True(found.CanRefresh);
            Assert.Equal(Samples.BaseUri, found.BaseUri);

            var text = File.ReadAllText(store.Path);
            Assert.DoesNotContain(Samples.AccessToken, text);
            Assert.DoesNotContain(Samples.RefreshToken, text);
            Assert.DoesNotContain("client-secret", text);
            Assert.Empty(Directory.GetFiles(Data, "*.tmp"));
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.Path));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Data, RememberedConnections.LockFileName)));
            }
        }

        [Fact]
        public async Task ASessionOnlyConnectionIsNotRememberedAndForgettingTakesTheVaultIntoAccount()
        {
            var store = Store();
            var report = new RecordingReporter();
            await store.RememberAsync(Samples.Connection("web", Samples.Start, TimeSpan.FromDays(1)), report);
            Assert.False(File.Exists(store.Path));

            await store.RememberAsync(Samples.Connection("acme", Samples.Start, TimeSpan.FromDays(1), vault: "Ops"), report);
            Assert.False(await store.ForgetAsync("acme", "Other", report));
            Assert.Equal("Ops", store.Find("acme").Vault);
            Assert.True(await store.ForgetAsync("acme", "ops", report));
            Assert.Null(store.Find("acme"));
            Assert.False(await store.ForgetAsync("acme", null, report));
        }

        [Fact]
        public async Task SavingAgainReplacesTheEntryOfThatName()
        {
            var store = Store();
            var report = new RecordingReporter();
            await store.RememberAsync(Samples.Connection("acme", Samples.Start, TimeSpan.FromDays(1), vault: "Ops"), report);
            await store.RememberAsync(Samples.Connection("ACME", Samples.Start.AddDays(5), TimeSpan.FromDays(10), vault: "Shared"), report);

            var only = Assert.Single(store.All());
            Assert.Equal("Shared", only.Vault);
            Assert.Equal(Samples.Start.AddDays(5), only.IssuedOn);
        }

        [Fact]
        public async Task SeveralWritersAtOnceKeepEveryEntry()
        {
            // Each store opens the lock file of its own, as another process would: flock holds between them.
            // Real time: the lock's wait is a real wait (a fake clock would run through its 10 s at once).
            var report = new RecordingReporter();
            var writers = Enumerable.Range(0, 12).Select(i => Task.Run(() =>
                Store(SystemClock.Instance).RememberAsync(Samples.Connection($"client-{i}", Samples.Start, TimeSpan.FromDays(1), vault: "Ops"), report)));
            await Task.WhenAll(writers);

            Assert.Empty(report.Verbose);
            Assert.Equal(Enumerable.Range(0, 12).Select(i => $"client-{i}").OrderBy(n => n, StringComparer.OrdinalIgnoreCase), Store().All().Select(c => c.Name));
            Assert.Empty(Directory.GetFiles(Data, "*.tmp"));
        }

        [Fact]
        public async Task AFileThatIsNotOursIsNothingRememberedAndTheNextSaveReplacesIt()
        {
            Directory.CreateDirectory(Data);
            var store = Store();
            File.WriteAllText(store.Path, "{ not json");
            Assert.Empty(store.All());

            await store.RememberAsync(Samples.Connection("acme", Samples.Start, TimeSpan.FromDays(1), vault: "Ops"), new RecordingReporter());
            Assert.Equal("Ops", store.Find("acme").Vault);
        }

        [Fact]
        public async Task AFileFromANewerModuleIsReadButNeverOverwritten()
        {
            Directory.CreateDirectory(Data);
            var store = Store();
            var newer = "{\"version\":2,\"connections\":[{\"name\":\"acme\",\"vault\":\"Ops\",\"future\":true}]}";
            File.WriteAllText(store.Path, newer);
            var report = new RecordingReporter();

            await store.RememberAsync(Samples.Connection("other", Samples.Start, TimeSpan.FromDays(1), vault: "Ops"), report);

            Assert.Equal("Ops", store.Find("acme").Vault);
            Assert.Equal(newer, File.ReadAllText(store.Path));
            Assert.Contains(report.Verbose, line => line.Contains("newer TSheets.Auth", StringComparison.Ordinal));
        }

        [Fact]
        public async Task ALinkPlantedAtTheFileIsNeitherReadNorWrittenThrough()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return; // Windows' reparse points are judged by PrivacyRulesTests with the facts injected.
            }

            Directory.CreateDirectory(Data);
            var target = Path.Combine(home.Path, "elsewhere.json");
            File.WriteAllText(target, "{\"version\":1,\"connections\":[{\"name\":\"planted\",\"vault\":\"Evil\"}]}");
            var store = Store();
            File.CreateSymbolicLink(store.Path, target);

            Assert.Null(store.Find("planted"));
            await store.RememberAsync(Samples.Connection("acme", Samples.Start, TimeSpan.FromDays(1), vault: "Ops"), new RecordingReporter());

            Assert.Contains("planted", File.ReadAllText(target));
            Assert.DoesNotContain("acme", File.ReadAllText(target));
            Assert.False(new FileInfo(store.Path).Attributes.HasFlag(FileAttributes.ReparsePoint), "the rename replaced the link itself");
            Assert.Equal("Ops", store.Find("acme").Vault);
        }

        [Fact]
        public void NoneRemembersNothing()
        {
            Assert.Empty(RememberedConnections.None.All());
            Assert.Null(RememberedConnections.None.Path);
            Assert.True(RememberedConnections.None.RememberAsync(Samples.Connection("acme", Samples.Start, TimeSpan.FromDays(1), vault: "Ops"), new RecordingReporter()).IsCompleted);
        }
    }
}
