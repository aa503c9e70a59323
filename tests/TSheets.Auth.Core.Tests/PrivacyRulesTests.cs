using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using TSheets.Auth.Common;
using TSheets.Auth.Platform;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Tests
{
    /// <summary>
    /// The decision about the module's own folders and files with the OS facts injected: Windows'
    /// owners and access lists (which cannot be run here) and Unix' lstat, including root's case,
    /// where a chmod of another user's folder succeeds and ownership must be read.
    /// </summary>
    public sealed class PrivacyRulesTests
    {
        private const string Me = "S-1-5-21-1-2-3-1001";
        private const string Other = "S-1-5-21-1-2-3-1002";
        private const string Everyone = "S-1-1-0";
        private const string Users = "S-1-5-32-545";

        private static readonly string[] MySids = { Me };

        private static AceFact Allow(string sid, bool inheritOnly = false) => new AceFact(sid, true, 0x1F01FF, inheritOnly);

        private static PrivacyAction Judge(EntryFacts facts, EntryKind expected, bool canMakePrivate, out string why) =>
            PrivacyRules.Judge(@"C:\Users\me\AppData\Local\TSheets.Auth", expected, facts, canMakePrivate, out why);

        [Fact]
        public void WindowsUsesAFolderOfMineThatOnlyIAndTheSystemCanOpen()
        {
            var facts = EntryFacts.FromWindows(true, true, false, Me, MySids, new[] { Allow(Me), Allow(WellKnownSids.System), Allow(WellKnownSids.Administrators), Allow(WellKnownSids.CreatorOwner, inheritOnly: true) });
            Assert.Equal(PrivacyAction.Use, Judge(facts, EntryKind.Folder, false, out var why));
            Assert.Null(why);
        }

        [Fact]
        public void WindowsAcceptsAFolderAnElevatedSessionLeftToAdministrators()
        {
            var facts = EntryFacts.FromWindows(true, true, false, WellKnownSids.Administrators, MySids, new[] { Allow(Me), Allow(WellKnownSids.Administrators) });
            Assert.Equal(PrivacyAction.Use, Judge(facts, EntryKind.Folder, false, out _));
        }

        [Fact]
        public void WindowsRefusesAFolderAnotherUserOwnsWhateverItsAccessList()
        {
            var facts = EntryFacts.FromWindows(true, true, false, Other, MySids, new[] { Allow(Me) });
            Assert.Equal(PrivacyAction.Refuse, Judge(facts, EntryKind.Folder, false, out var why));
            Assert.Contains($"belongs to another user ({Other})", why);
        }

        [Theory]
        [InlineData(Everyone)]
        [InlineData(Users)]
        [InlineData(Other)]
        public void WindowsRefusesAFolderItsAccessListOpensToOthers(string sid)
        {
            var facts = EntryFacts.FromWindows(true, true, false, Me, MySids, new[] { Allow(Me), Allow(sid) });
            Assert.Equal(PrivacyAction.Refuse, Judge(facts, EntryKind.Folder, false, out var why));
            Assert.Contains($"can be opened by {sid}", why);
        }

        [Fact]
        public void WindowsIgnoresInheritOnlyAndDenyingEntriesButNotANullAccessList()
        {
            var onlyForChildren = EntryFacts.FromWindows(true, true, false, Me, MySids, new[] { Allow(Me), Allow(Everyone, inheritOnly: true), new AceFact(Users, false, 0x1F01FF, false) });
            Assert.Equal(PrivacyAction.Use, Judge(onlyForChildren, EntryKind.Folder, false, out _));

            var noList = EntryFacts.FromWindows(true, true, false, Me, MySids, null);
            Assert.Equal(PrivacyAction.Refuse, Judge(noList, EntryKind.Folder, false, out var why));
            Assert.Contains("everyone", why);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void WindowsRefusesAReparsePointWhoeverOwnsIt(bool isDirectory)
        {
            var facts = EntryFacts.FromWindows(true, isDirectory, true, null, MySids, new List<AceFact>());
            Assert.Equal(PrivacyAction.Refuse, Judge(facts, isDirectory ? EntryKind.Folder : EntryKind.File, false, out var why));
            Assert.Contains("symbolic link", why);
        }

        [Fact]
        public void WindowsCreatesWhatIsMissingAndRefusesAFileWhereAFolderShouldBe()
        {
            Assert.Equal(PrivacyAction.Create, Judge(EntryFacts.FromWindows(false, false, false, null, MySids, null), EntryKind.Folder, false, out _));
            Assert.Equal(PrivacyAction.Refuse, Judge(EntryFacts.FromWindows(true, false, false, Me, MySids, new[] { Allow(Me) }), EntryKind.Folder, false, out var why));
            Assert.Contains("is not a folder", why);
        }

        [Fact]
        public void UnixRefusesAnotherUsersFolderEvenToRootWhoseChmodWouldWork()
        {
            var facts = EntryFacts.FromUnix(0x4000 | 0x1FF, 1001, 0);
            Assert.Equal(PrivacyAction.Refuse, Judge(facts, EntryKind.Folder, true, out var why));
            Assert.Contains("belongs to another user (uid 1001)", why);
        }

        [Fact]
        public void UnixRefusesALinkWhoeverOwnsIt()
        {
            Assert.Equal(PrivacyAction.Refuse, Judge(EntryFacts.FromUnix(0xA000 | 0x1FF, 0, 0), EntryKind.Folder, true, out var why));
            Assert.Contains("symbolic link", why);
            Assert.Equal(PrivacyAction.Refuse, Judge(EntryFacts.FromUnix(0xA000 | 0x1FF, 1001, 1001), EntryKind.File, true, out _));
        }

        [Theory]
        [InlineData(0x1C0, true, false)]
        [InlineData(0x1FF, true, true)]
        [InlineData(0x1E8, true, true)]
        [InlineData(0x180, false, false)]
        [InlineData(0x1B6, false, true)]
        public void UnixMakesItsOwnFolderOrFilePrivateWhenOthersCouldOpenIt(int access, bool isFolder, bool othersCanOpen)
        {
            var kind = isFolder ? EntryKind.Folder : EntryKind.File;
            var facts = EntryFacts.FromUnix((isFolder ? 0x4000 : 0x8000) | access, 1001, 1001);
            Assert.Equal(othersCanOpen ? PrivacyAction.MakePrivate : PrivacyAction.Use, Judge(facts, kind, true, out _));
            Assert.Equal(othersCanOpen ? PrivacyAction.Refuse : PrivacyAction.Use, Judge(facts, kind, false, out _));
        }

        [Fact]
        public void UnixRefusesAFifoOrADeviceWhereALockFileShouldBe()
        {
            Assert.Equal(PrivacyAction.Refuse, Judge(EntryFacts.FromUnix(0x1000 | 0x180, 1001, 1001), EntryKind.File, true, out var why));
            Assert.Contains("not a regular file", why);
        }
    }

    /// <summary>The real thing on Linux and macOS: modes whatever the umask default, links never followed.</summary>
    public sealed class UnixPrivatePathsTests : IDisposable
    {
        private readonly TempFolder folder = new TempFolder();

        public void Dispose() => folder.Dispose();

        [Fact]
        public void MakesEachLevelAndFilePrivateAndRefusesALinkedLevel()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }

            var root = Path.Combine(folder.Path, "share");
            var path = UnixPrivatePaths.PrepareFolder(root, new[] { "TSheets.Auth", "locks" }, out var why);
            Assert.Null(why);
            Assert.Equal(Path.Combine(root, "TSheets.Auth", "locks"), path);
            foreach (var made in new[] { root, Path.Combine(root, "TSheets.Auth"), path })
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(made));
            }

            using (var file = PrivateFile.CreateNew(Path.Combine(path, "page.html"), out why))
            {
                Assert.NotNull(file);
            }

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(path, "page.html")));

            Directory.Move(path, path + ".real");
            Directory.CreateSymbolicLink(path, path + ".real");
            Assert.Null(UnixPrivatePaths.PrepareFolder(root, new[] { "TSheets.Auth", "locks" }, out why));
            Assert.Contains("is a symbolic link", why);
        }

        [Fact]
        public async Task NeverOpensALockFileThatIsALinkAndSaysWhy()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }

            var victim = Path.Combine(folder.Path, "victim");
            File.WriteAllText(victim, "keep me");
            var locks = new LockFolder(Path.Combine(folder.Path, "locks"));
            Directory.CreateDirectory(locks.Path);
            File.CreateSymbolicLink(Path.Combine(locks.Path, VaultLock.FileName("Ops", "acme")), victim);
            var report = new RecordingReporter();

            Assert.Null(await VaultLock.AcquireAsync(locks, "Ops", "acme", TimeSpan.FromSeconds(5), SystemClock.Instance, CancellationToken.None, report));

            Assert.Equal("keep me", File.ReadAllText(victim));
            Assert.Contains(report.Verbose, line => line.StartsWith("Going on without the cross-process lock for 'acme' in vault 'Ops':", StringComparison.Ordinal) && line.Contains("is a symbolic link"));
            VaultLock.Delete(locks, "Ops", "acme");
            Assert.True(File.Exists(victim));
        }
    }
}
