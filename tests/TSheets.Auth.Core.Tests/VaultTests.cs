using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace TSheets.Auth.Tests
{
    /// <summary>A vault in memory, counting reads and writes; can be told to fail.</summary>
    internal sealed class MemoryVault : IVaultStore
    {
        public readonly ConcurrentDictionary<string, string> Secrets = new ConcurrentDictionary<string, string>();
        public int Reads;
        public int Writes;
        public string FailWith;

        public SecureString Read(string vault, string secretName)
        {
            Interlocked.Increment(ref Reads);
            Fail(vault);
            return Secrets.TryGetValue(vault + "/" + secretName, out var text) ? SecureStrings.FromPlainText(text) : null;
        }

        public void Write(string vault, string secretName, SecureString value)
        {
            Interlocked.Increment(ref Writes);
            Fail(vault);
            Secrets[vault + "/" + secretName] = SecureStrings.ToPlainText(value);
        }

        public bool Remove(string vault, string secretName) => Secrets.TryRemove(vault + "/" + secretName, out _);

        public IReadOnlyList<string> List(string vault, string namePattern) => Secrets.Keys.Select(k => k.Substring(vault.Length + 1)).ToList();

        private void Fail(string vault)
        {
            if (FailWith != null)
            {
                throw new TSheetsAuthException(ErrorIds.VaultError, FailWith, vault);
            }
        }
    }

    public class VaultDocumentTests
    {
        private static readonly DateTimeOffset Now = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

        [Fact]
        public void RoundTripsEveryFieldInASmallDocument()
        {
            var connection = new Connection("acme", SecureStrings.FromPlainText(Samples.AccessToken), SecureStrings.FromPlainText(Samples.RefreshToken),
                Now, Now.AddDays(10), "client", SecureStrings.FromPlainText("secret"), new Uri("https://rest.tsheets.com/api/v1"), "12345", "67890", "acmeco");
            var secret = VaultDocument.Serialize(connection);
            Assert.True(secret.Length < 2048);

            var back = VaultDocument.Parse(secret, "acme", "Ops");
            Assert.True(back.HasSameTokens(connection));
            Assert.Equal("secret", SecureStrings.ToPlainText(back.ClientSecret));
            Assert.Equal(Now, back.IssuedOn);
            Assert.Equal(Now.AddDays(10), back.ExpiresOn);
            Assert.Equal(("client", "12345", "67890", "acmeco", "Ops"), (back.ClientId, back.UserId, back.CompanyId, back.ClientUrl, back.Vault));
            Assert.Equal(connection.BaseUri, back.BaseUri);
        }

        [Theory]
        [InlineData("not json")]
        [InlineData("[]")]
        [InlineData("{\"access_token\":\"x\"}")]
        [InlineData("{\"version\":1}")]
        [InlineData("{\"version\":1,\"access_token\":\"x\",\"base_uri\":\"http://example.com/api\"}")]
        [InlineData("{\"version\":1,\"access_token\":\"x\",\"base_uri\":\"https://x.example/api\",\"expires_on\":\"soon\"}")]
        public void ReportsACorruptDocument(string text)
        {
            var ex = Assert.Throws<TSheetsAuthException>(() => VaultDocument.Parse(SecureStrings.FromPlainText(text), "acme", "Ops"));
            Assert.Equal(ErrorIds.VaultError, ex.ErrorId);
            Assert.Contains("corrupt", ex.Message);
            Assert.False(VaultDocument.IsFromNewerModule(SecureStrings.FromPlainText(text)));
        }

        [Fact]
        public void ReportsADocumentFromANewerModule()
        {
            var newer = SecureStrings.FromPlainText("{\"version\":2,\"access_token\":\"x\"}");
            var ex = Assert.Throws<TSheetsAuthException>(() => VaultDocument.Parse(newer, "acme", "Ops"));
            Assert.Contains("newer version", ex.Message);
            Assert.True(VaultDocument.IsFromNewerModule(newer));
        }
    }

    public class VaultRefreshTests
    {
        private static readonly DateTimeOffset Start = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        private readonly FakeClock clock = new FakeClock(Start);
        private readonly SessionStore store = new SessionStore();
        private readonly MemoryVault vault = new MemoryVault();
        private readonly string name = "c" + Guid.NewGuid().ToString("n");

        private TokenService Service(FakeHandler handler) =>
            new TokenService(store, new TokenClient(new HttpTransport(handler), TimeSpan.FromSeconds(10)), clock, vault);

        private Connection Pair(string access, string refresh, TimeSpan lifetime) =>
            new Connection(name, SecureStrings.FromPlainText(access), SecureStrings.FromPlainText(refresh), clock.UtcNow, clock.UtcNow + lifetime,
                "client-id", SecureStrings.FromPlainText("client-secret"), Samples.BaseUri);

        [Fact]
        public async Task LoadsFromTheVaultWithoutARequestThenRefreshesAndWritesBack()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            var service = Service(handler);
            service.Save(Pair(Samples.AccessToken, Samples.RefreshToken, TimeSpan.FromDays(10)), "Ops", out _);
            store.Remove(name);

            var loaded = await service.GetAsync(name, RefreshMode.Auto, CancellationToken.None, "Ops");
            Assert.Equal(0, handler.Calls);
            Assert.Equal("Ops", loaded.Connection.Vault);
            Assert.Same(loaded.Connection, store.Get(name));

            var refreshed = await service.GetAsync(name, RefreshMode.Force, CancellationToken.None);
            Assert.Equal(1, handler.Calls);
            Assert.Null(refreshed.VaultFailure);
            Assert.Equal(Samples.NewAccessToken, SecureStrings.ToPlainText(refreshed.Connection.AccessToken));
            Assert.True(VaultDocument.Parse(vault.Read("Ops", VaultDocument.SecretName(name)), name, "Ops").HasSameTokens(refreshed.Connection));
        }

        [Fact]
        public async Task AdoptsWhatAnotherProcessStoredInsteadOfRefreshingAgain()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            var service = Service(handler);
            service.Save(Pair(Samples.AccessToken, Samples.RefreshToken, TimeSpan.FromMinutes(3)), "Ops", out _);
            // Another process refreshed meanwhile and wrote its pair to the vault.
            var theirs = Pair("S.7__theirs", "theirsrefresh", TimeSpan.FromDays(10)).WithVault("Ops");
            vault.Write("Ops", VaultDocument.SecretName(name), VaultDocument.Serialize(theirs));
            clock.Advance(TimeSpan.FromMinutes(1));

            var lookup = await service.GetAsync(name, RefreshMode.Auto, CancellationToken.None);

            Assert.Equal(0, handler.Calls);
            Assert.Equal("S.7__theirs", SecureStrings.ToPlainText(lookup.Connection.AccessToken));
            Assert.Equal("S.7__theirs", SecureStrings.ToPlainText(store.Get(name).AccessToken));
        }

        [Fact]
        public async Task RecoversFromInvalidGrantWithANewerPairInTheVault()
        {
            MemoryVault shared = vault;
            var handler = new FakeHandler((_, _, _) =>
            {
                // Another machine rotated the pair and stored it just before our request arrived.
                var theirs = Pair("S.7__machine2", "machine2refresh", TimeSpan.FromDays(10)).WithVault("Ops");
                shared.Write("Ops", VaultDocument.SecretName(name), VaultDocument.Serialize(theirs));
                return Task.FromResult(FakeHandler.Response(HttpStatusCode.BadRequest, "{\"error\":\"invalid_grant\"}"));
            });
            var service = Service(handler);
            service.Save(Pair(Samples.AccessToken, Samples.RefreshToken, TimeSpan.FromDays(10)), "Ops", out _);

            var lookup = await service.GetAsync(name, RefreshMode.Force, CancellationToken.None);

            Assert.Equal(1, handler.Calls);
            Assert.Equal("S.7__machine2", SecureStrings.ToPlainText(lookup.Connection.AccessToken));
        }

        [Fact]
        public async Task KeepsTheRefreshedPairInTheSessionWhenTheVaultWriteFails()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            var service = Service(handler);
            service.Save(Pair(Samples.AccessToken, Samples.RefreshToken, TimeSpan.FromDays(10)), "Ops", out _);
            vault.FailWith = "vault is locked";

            var lookup = await service.GetAsync(name, RefreshMode.Force, CancellationToken.None);

            Assert.Equal(Samples.NewAccessToken, SecureStrings.ToPlainText(store.Get(name).AccessToken));
            Assert.Equal(ErrorIds.VaultError, lookup.VaultFailure.ErrorId);
            Assert.Contains("vault is locked", lookup.VaultFailure.Message);
            Assert.Contains("is in this session", lookup.VaultFailure.Message);
        }

        [Fact]
        public void SavingToAFailingVaultKeepsTheTokenInTheSession()
        {
            var service = Service(FakeHandler.Json(HttpStatusCode.OK, "{}"));
            vault.FailWith = "disk full";
            var ex = Assert.Throws<TSheetsAuthException>(() => service.Save(Pair("S.7__a", "r", TimeSpan.FromDays(1)), "Ops", out _));
            Assert.Equal(ErrorIds.VaultError, ex.ErrorId);
            Assert.NotNull(store.Get(name));
        }
    }

    public class CrossProcessLockTests
    {
        [Fact]
        public void IsExclusiveAndFreedOnDispose()
        {
            var name = Guid.NewGuid().ToString("n");
            using (var first = CrossProcessLock.TryAcquire("Ops", name, TimeSpan.FromSeconds(1)))
            {
                Assert.NotNull(first);
                Assert.Null(CrossProcessLock.TryAcquire("OPS", name.ToUpperInvariant(), TimeSpan.FromMilliseconds(200)));
                using (var other = CrossProcessLock.TryAcquire("Other", name, TimeSpan.FromMilliseconds(200)))
                {
                    Assert.NotNull(other);
                }
            }

            using (var again = CrossProcessLock.TryAcquire("Ops", name, TimeSpan.FromMilliseconds(200)))
            {
                Assert.NotNull(again);
            }
        }
    }
}
