using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.OAuth;
using TSheets.Auth.Reporting;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Tests
{
    /// <summary>A clock tests move by hand; a delay moves it at once (and is recorded), so nothing sleeps.</summary>
    internal sealed class FakeClock : IClock
    {
        private readonly object gate = new object();
        private DateTimeOffset now;

        public FakeClock(DateTimeOffset now) => this.now = now;

        public DateTimeOffset UtcNow
        {
            get
            {
                lock (gate)
                {
                    return now;
                }
            }

            set
            {
                lock (gate)
                {
                    now = value;
                }
            }
        }

        public ConcurrentQueue<TimeSpan> Delays { get; } = new ConcurrentQueue<TimeSpan>();

        public void Advance(TimeSpan by)
        {
            lock (gate)
            {
                now += by;
            }
        }

        public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Delays.Enqueue(delay);
            if (delay > TimeSpan.Zero)
            {
                Advance(delay);
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>Everything Core reported, in order, for assertions.</summary>
    internal sealed class RecordingReporter : IReporter
    {
        public ConcurrentQueue<string> Information { get; } = new ConcurrentQueue<string>();

        public ConcurrentQueue<string> Verbose { get; } = new ConcurrentQueue<string>();

        public ConcurrentQueue<string> Warnings { get; } = new ConcurrentQueue<string>();

        public ConcurrentQueue<TSheetsAuthException> Errors { get; } = new ConcurrentQueue<TSheetsAuthException>();

        public ConcurrentQueue<string> Progress { get; } = new ConcurrentQueue<string>();

        void IReporter.Information(string message, bool scrub) => Information.Enqueue(message);

        void IReporter.Verbose(string message) => Verbose.Enqueue(message);

        void IReporter.Warning(string message) => Warnings.Enqueue(message);

        void IReporter.Error(TSheetsAuthException error) => Errors.Enqueue(error);

        void IReporter.Progress(string activity, string status, bool completed) => Progress.Enqueue((completed ? "done: " : string.Empty) + status);

        public string All => string.Join("\n", Information.Concat(Verbose).Concat(Warnings).Concat(Errors.Select(e => e.Message)).Concat(Progress));
    }

    /// <summary>An HTTP handler answering from a function, counting calls and keeping every request.</summary>
    internal sealed class FakeHandler : HttpMessageHandler
    {
        private readonly Func<HttpRequestMessage, string, CancellationToken, Task<HttpResponseMessage>> answer;
        private int calls;

        public FakeHandler(Func<HttpRequestMessage, string, CancellationToken, Task<HttpResponseMessage>> answer) => this.answer = answer;

        public int Calls => Volatile.Read(ref calls);

        public string LastBody { get; private set; }

        public HttpRequestMessage LastRequest { get; private set; }

        public ConcurrentQueue<(HttpRequestMessage Request, string Body)> Requests { get; } = new ConcurrentQueue<(HttpRequestMessage, string)>();

        public static FakeHandler Json(HttpStatusCode status, string json) =>
            new FakeHandler((_, _, _) => Task.FromResult(Response(status, json)));

        /// <summary>Answers each call with the next of <paramref name="answers"/> (the last one repeats).</summary>
        public static FakeHandler Sequence(params Func<HttpResponseMessage>[] answers)
        {
            var next = 0;
            return new FakeHandler((_, _, _) => Task.FromResult(answers[Math.Min(Interlocked.Increment(ref next) - 1, answers.Length - 1)]()));
        }

        public static HttpResponseMessage Response(HttpStatusCode status, string body, string mediaType = "application/json") =>
            new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            var body = request.Content == null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            LastRequest = request;
            LastBody = body;
            Requests.Enqueue((request, body));
            return await answer(request, body, cancellationToken);
        }
    }

    /// <summary>
    /// Vault storage shared by several simulated processes (<see cref="MemoryVault"/>s), like a
    /// SecretStore file on disk or a networked vault.
    /// </summary>
    internal sealed class VaultBacking
    {
        public ConcurrentDictionary<string, string> Secrets { get; } = new ConcurrentDictionary<string, string>();
    }

    /// <summary>
    /// One process's view of a vault. With <see cref="CachesPerProcess"/> it behaves like the real
    /// SecretStore: the first read fills a cache that later reads return, even after another
    /// process wrote; only its own writes update it. A fresh read sees the backing store.
    /// </summary>
    internal sealed class MemoryVault : IVaultStore
    {
        private readonly ConcurrentDictionary<string, string> cache = new ConcurrentDictionary<string, string>();
        private int reads;
        private int freshReads;
        private int writes;

        public MemoryVault(VaultBacking backing = null) => Backing = backing ?? new VaultBacking();

        public VaultBacking Backing { get; }

        public bool CachesPerProcess { get; set; }

        /// <summary>A vault on this machine only (SecretStore), where a refused refresh has no other machine's write to wait for.</summary>
        public bool LocalToMachine { get; set; }

        public bool IsLocalToMachine(string vault) => LocalToMachine;

        /// <summary>Fresh reads are not possible here (no PowerShell to start): they return null.</summary>
        public bool NoFreshReads { get; set; }

        public string FailWith { get; set; }

        /// <summary>How many writes fail before one succeeds (with <see cref="FailWith"/>'s message).</summary>
        public int FailingWrites { get; set; }

        public int Reads => Volatile.Read(ref reads);

        public int FreshReads => Volatile.Read(ref freshReads);

        public int Writes => Volatile.Read(ref writes);

        public SecureString Read(string vault, string secretName)
        {
            Interlocked.Increment(ref reads);
            Fail(vault);
            var key = vault + "/" + secretName;
            if (CachesPerProcess)
            {
                if (!cache.TryGetValue(key, out var cached) && Backing.Secrets.TryGetValue(key, out cached))
                {
                    cache[key] = cached;
                }

                return SecureStrings.FromPlainText(cached);
            }

            return Backing.Secrets.TryGetValue(key, out var text) ? SecureStrings.FromPlainText(text) : null;
        }

        public Task<SecureString> ReadFreshAsync(string vault, string secretName, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref freshReads);
            if (NoFreshReads)
            {
                return Task.FromResult<SecureString>(null);
            }

            return Task.FromResult(Backing.Secrets.TryGetValue(vault + "/" + secretName, out var text) ? SecureStrings.FromPlainText(text) : null);
        }

        public void Write(string vault, string secretName, SecureString value)
        {
            Interlocked.Increment(ref writes);
            if (FailingWrites > 0)
            {
                FailingWrites--;
                throw new TSheetsAuthException(ErrorIds.VaultError, FailWith ?? "write refused", vault);
            }

            Fail(vault);
            var text = SecureStrings.ToPlainText(value);
            Backing.Secrets[vault + "/" + secretName] = text;
            if (CachesPerProcess)
            {
                cache[vault + "/" + secretName] = text;
            }
        }

        public bool Remove(string vault, string secretName)
        {
            cache.TryRemove(vault + "/" + secretName, out _);
            return Backing.Secrets.TryRemove(vault + "/" + secretName, out _);
        }

        public IReadOnlyList<string> List(string vault, string namePattern) =>
            Backing.Secrets.Keys.Where(k => k.StartsWith(vault + "/", StringComparison.Ordinal)).Select(k => k.Substring(vault.Length + 1)).ToList();

        private void Fail(string vault)
        {
            if (FailWith != null && FailingWrites == 0)
            {
                throw new TSheetsAuthException(ErrorIds.VaultError, FailWith, vault);
            }
        }
    }

    /// <summary>A temporary folder, removed when disposed.</summary>
    internal sealed class TempFolder : IDisposable
    {
        public TempFolder() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tsheets-tests-" + Guid.NewGuid().ToString("n"));

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    internal static class Samples
    {
        public const string AccessToken = "S.7__0123456789abcdef0123456789abcdef01234567";
        public const string RefreshToken = "fedcba9876543210fedcba9876543210fedcba98";
        public const string NewAccessToken = "S.7__aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        public const string NewRefreshToken = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        public static readonly Uri BaseUri = new Uri("https://rest.tsheets.com/api/v1");
        public static readonly DateTimeOffset Start = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

        public static ClientCredentials App(ClientAuthentication method = ClientAuthentication.Post) =>
            new ClientCredentials("client-id", SecureStrings.FromPlainText("client-secret"), method);

        public static string GrantJson(string access = NewAccessToken, string refresh = NewRefreshToken, int expiresIn = 864000) =>
            "{\"access_token\":\"" + access + "\",\"expires_in\":" + expiresIn + ",\"token_type\":\"bearer\",\"scope\":\"\","
            + (refresh == null ? string.Empty : "\"refresh_token\":\"" + refresh + "\",")
            + "\"user_id\":\"12345\",\"company_id\":\"67890\",\"client_url\":\"acmeco\"}";

        public static Connection Connection(string name, DateTimeOffset issuedOn, TimeSpan lifetime, string access = AccessToken, string refresh = RefreshToken, string vault = null) =>
            new Connection
            {
                Name = name,
                AccessToken = SecureStrings.FromPlainText(access),
                RefreshToken = SecureStrings.FromPlainText(refresh),
                IssuedOn = issuedOn,
                ExpiresOn = issuedOn + lifetime,
                ClientId = "client-id",
                ClientSecret = SecureStrings.FromPlainText("client-secret"),
                BaseUri = BaseUri,
                Vault = vault,
            };

        public static string Plain(SecureString value) => SecureStrings.ToPlainText(value);

        /// <summary>Waits for a condition the code under test makes true (a signal, polled), failing after a generous bound.</summary>
        public static async Task Until(Func<bool> condition, string what)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!condition())
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("Never happened: " + what);
                }

                await Task.Delay(5);
            }
        }
    }
}
