using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.Interactive;
using TSheets.Auth.OAuth;
using TSheets.Auth.Reporting;
using TSheets.Auth.Tokens;

namespace TSheets.Auth.Tests
{
    /// <summary>
    /// The whole interactive sign-in with a real loopback listener, a browser that follows the URL
    /// (by HttpClient), a prompt that pastes, and a fake token endpoint.
    /// </summary>
    public sealed class InteractiveSignInTests
    {
        private const string Code = "S.19__the-authorization-code";
        private static readonly Uri Https = new Uri("https://app.example/cb");

        private readonly FakeClock clock = new FakeClock(Samples.Start);
        private readonly OrderedReporter report = new OrderedReporter();
        private readonly FakeHandler tokenEndpoint = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());

        /// <summary>Someone at a console on Linux with a display: a person can answer and a browser can open.</summary>
        private static InteractionFacts Desk(params (string Name, string Value)[] environment) => new InteractionFacts
        {
            HostName = "ConsoleHost",
            HostHasUserInterface = true,
            UserInteractive = true,
            Environment = Env(environment.Length == 0 ? new[] { ("DISPLAY", ":0") } : environment),
        };

        private static Func<string, string> Env(IEnumerable<(string Name, string Value)> pairs)
        {
            var map = pairs.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
            return name => map.TryGetValue(name, out var value) ? value : null;
        }

        private static InteractiveOptions Options(Uri redirect, TimeSpan? timeout = null, bool pkce = true, IEnumerable<string> scope = null, bool noBrowser = false) => new InteractiveOptions
        {
            Name = "acme",
            App = Samples.App(),
            RedirectUri = redirect,
            BaseUri = Samples.BaseUri,
            Timeout = timeout ?? TimeSpan.FromSeconds(60),
            Pkce = pkce,
            Scope = scope,
            NoBrowser = noBrowser,
        };

        private InteractiveSignIn Flow(IBrowserLauncher browser, IPrompt prompt = null) =>
            new InteractiveSignIn(
                new SignIn(new TokenClient(HttpPipelines.Plain(PrimaryHandlers.Using(tokenEndpoint)), TimeSpan.FromSeconds(30)), clock),
                browser,
                prompt ?? new PastingPrompt(_ => throw new InvalidOperationException("no prompt expected")),
                report);

        private static Dictionary<string, string> Query(string query) =>
            PercentEncoding.ParseQuery(query).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

        /// <summary>The URL the flow reported for the user to open (null before it did).</summary>
        private static Uri ReportedUrl(IEnumerable<string> information)
        {
            const string Prefix = "Sign in to TSheets and allow access: ";
            var line = information.FirstOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal));
            return line == null ? null : new Uri(line.Substring(Prefix.Length));
        }

        [Theory]
        [InlineData("127.0.0.1")]
        [InlineData("localhost")]
        public async Task SignsInThroughTheLoopbackListenerWithPkce(string host)
        {
            var browser = new CallbackBrowser((url, q) => $"?code={Uri.EscapeDataString(Code)}&state={Uri.EscapeDataString(q["state"])}");
            var connection = await Flow(browser).RunAsync(Options(new Uri($"http://{host}:0/callback")), Desk(), CancellationToken.None);

            Assert.Equal(Samples.NewAccessToken, Samples.Plain(connection.AccessToken));
            Assert.Equal("12345", connection.UserId);
            var url = Assert.Single(browser.Opened);
            Assert.Equal(url, ReportedUrl(report.Information));
            var q = Query(url.Query);
            var redirect = new Uri(q["redirect_uri"]);
            Assert.Equal(host, redirect.Host);
            Assert.NotEqual(0, redirect.Port);
            Assert.Equal("/callback", redirect.AbsolutePath);
            Assert.Equal("S256", q["code_challenge_method"]);
            Assert.Equal("client-id", q["client_id"]);
            Assert.False(q.ContainsKey("scope"));

            Assert.Equal(1, tokenEndpoint.Calls);
            Assert.Equal("https://rest.tsheets.com/api/v1/grant", tokenEndpoint.LastRequest.RequestUri.AbsoluteUri);
            var body = Query(tokenEndpoint.LastBody);
            Assert.Equal("authorization_code", body["grant_type"]);
            Assert.Equal(Code, body["code"]);
            Assert.Equal(q["redirect_uri"], body["redirect_uri"]);
            Assert.True(Pkce.IsValidVerifier(body["code_verifier"]), body["code_verifier"]);
            Assert.Equal(q["code_challenge"], Pkce.Challenge(body["code_verifier"]));

            var page = await browser.Pages.Single();
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.DoesNotContain(Code, page.Body);
            Assert.DoesNotContain(Code, report.All);
            Assert.Equal(1, browser.Handoff.Disposals);
        }

        [Fact]
        public async Task RemovesWhatTheBrowserWasHandedWhenTheSignInIsCancelled()
        {
            var browser = new CallbackBrowser((url, q) => null);
            using var cancellation = new CancellationTokenSource();
            var run = Flow(browser).RunAsync(Options(new Uri("http://127.0.0.1:0/callback")), Desk(), cancellation.Token);
            await Samples.Until(() => !browser.Opened.IsEmpty, "the browser is opened");
            Assert.Equal(0, browser.Handoff.Disposals);

            cancellation.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            Assert.Equal(1, browser.Handoff.Disposals);
        }

        [Fact]
        public async Task WithoutPkceNeitherChallengeNorVerifierIsSentAndTheScopeIsInTheUrl()
        {
            var browser = new CallbackBrowser((url, q) => $"?code={Code}&state={Uri.EscapeDataString(q["state"])}");
            await Flow(browser).RunAsync(Options(new Uri("http://127.0.0.1:0/callback"), pkce: false, scope: new[] { "openid", "profile" }), Desk(), CancellationToken.None);

            var q = Query(browser.Opened.Single().Query);
            Assert.False(q.ContainsKey("code_challenge"));
            Assert.False(q.ContainsKey("code_challenge_method"));
            Assert.Equal("openid profile", q["scope"]);
            Assert.Contains("scope=openid%20profile", browser.Opened.Single().AbsoluteUri);
            var body = Query(tokenEndpoint.LastBody);
            Assert.False(body.ContainsKey("code_verifier"));
            Assert.Equal(Code, body["code"]);
        }

        [Fact]
        public async Task ListensBeforeTheUrlIsReportedAndReportsItBeforeOpeningTheBrowser()
        {
            var answeredWhenReported = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            report.OnInformation = line =>
            {
                var url = ReportedUrl(new[] { line });
                if (url != null)
                {
                    // The port must already answer: a fast browser must not find it closed.
                    answeredWhenReported.TrySetResult(RawGet(new Uri(Query(url.Query)["redirect_uri"]), "/not-the-callback"));
                }
            };
            var browser = new CallbackBrowser((url, q) => $"?code={Code}&state={Uri.EscapeDataString(q["state"])}", report.Log);
            await Flow(browser).RunAsync(Options(new Uri("http://127.0.0.1:0/callback")), Desk(), CancellationToken.None);

            Assert.StartsWith("HTTP/1.1 404", await answeredWhenReported.Task);
            var log = report.Log.ToArray();
            var reported = Array.FindIndex(log, l => l.StartsWith("information: Sign in to TSheets", StringComparison.Ordinal));
            var opened = Array.IndexOf(log, "browser opened");
            Assert.True(reported >= 0 && opened > reported, string.Join("\n", log));
        }

        [Fact]
        public async Task IgnoresForgedStatesAndTheTimeoutSaysHowManyWereIgnored()
        {
            // The forged callbacks arrive (and are answered) inside Open, before the wait starts, so the short timeout races nothing.
            var browser = new CallbackBrowser(
                (url, q) => $"?code=S.19__forged&state=forged-state",
                blocking: true,
                repeat: 2);
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Flow(browser).RunAsync(Options(new Uri("http://127.0.0.1:0/callback"), TimeSpan.FromMilliseconds(300)), Desk(), CancellationToken.None));

            Assert.Equal(ErrorIds.AuthorizationTimedOut, ex.ErrorId);
            Assert.Contains("2 request(s)", ex.Message);
            Assert.All(browser.Pages, p => Assert.Equal(HttpStatusCode.BadRequest, p.Result.Status));
            Assert.Equal(2, browser.Pages.Count);
            Assert.Equal(0, tokenEndpoint.Calls);
            Assert.DoesNotContain("S.19__forged", ex.Message);
            Assert.Equal(1, browser.Handoff.Disposals);
        }

        [Fact]
        public async Task ADenialWithTheRightStateEndsTheWaitWithAuthorizationDenied()
        {
            var browser = new CallbackBrowser((url, q) => $"?error=access_denied&error_description=User%20said%20no&state={Uri.EscapeDataString(q["state"])}");
            var stopwatch = Stopwatch.StartNew();
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Flow(browser).RunAsync(Options(new Uri("http://127.0.0.1:0/callback"), TimeSpan.FromSeconds(120)), Desk(), CancellationToken.None));

            Assert.Equal(ErrorIds.AuthorizationDenied, ex.ErrorId);
            Assert.Equal("access_denied", ex.ServerError);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), $"waited {stopwatch.Elapsed} instead of ending at the denial");
            Assert.Equal(0, tokenEndpoint.Calls);
            Assert.Equal(HttpStatusCode.OK, (await browser.Pages.Single()).Status);
        }

        [Fact]
        public async Task APortInUseIsReportedBeforeAnyInformationOrBrowser()
        {
            var taken = new TcpListener(IPAddress.Loopback, 0);
            taken.Start();
            try
            {
                var port = ((IPEndPoint)taken.LocalEndpoint).Port;
                var browser = new CallbackBrowser((url, q) => "?code=x&state=y");
                var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Flow(browser).RunAsync(Options(new Uri($"http://127.0.0.1:{port}/callback")), Desk(), CancellationToken.None));

                Assert.Equal(ErrorIds.RedirectPortInUse, ex.ErrorId);
                Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
                Assert.Empty(browser.Opened);
                Assert.Empty(report.Log);
                Assert.Equal(0, tokenEndpoint.Calls);
            }
            finally
            {
                taken.Stop();
            }
        }

        [Fact]
        public async Task ABrowserThatCannotStartIsAWarningAndTheUrlIsStillReported()
        {
            var browser = new ThrowingBrowser();
            var run = Flow(browser).RunAsync(Options(new Uri("http://127.0.0.1:0/callback")), Desk(), CancellationToken.None);

            // The user opens the reported address by hand.
            await Samples.Until(() => report.Information.Any(l => l.StartsWith("Waiting up to", StringComparison.Ordinal)), "the flow waits for the callback");
            var url = ReportedUrl(report.Information);
            Assert.NotNull(url);
            var q = Query(url.Query);
            var page = await CallbackBrowser.Get(new Uri(q["redirect_uri"] + $"?code={Code}&state={Uri.EscapeDataString(q["state"])}"));
            var connection = await run;

            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.Equal(1, browser.Calls);
            var warning = Assert.Single(report.Warnings);
            Assert.Contains("no browser here", warning);
            Assert.Contains("Open the address above yourself", warning);
            Assert.Equal(Samples.NewAccessToken, Samples.Plain(connection.AccessToken));
        }

        private static InteractionFacts NoOneThere(string reason)
        {
            var facts = new InteractionFacts { HostName = "ConsoleHost", HostHasUserInterface = true, Environment = Env(new[] { ("DISPLAY", ":0") }) };
            switch (reason)
            {
                case "NonInteractiveSwitch": facts.NonInteractiveSwitch = true; break;
                case "Default Host": facts.HostName = "Default Host"; break;
                case "ServerRemoteHost": facts.HostName = "ServerRemoteHost"; break;
                case "HostHasUserInterface=false": facts.HostHasUserInterface = false; break;
                case "UserInteractive=false": facts.UserInteractive = false; break;
                case "Windows session 0": facts.IsWindows = true; facts.SessionId = 0; break;
                case "ConsoleHost input redirected": facts.InputRedirected = true; break;
                default: throw new ArgumentException(reason);
            }

            return facts;
        }

        [Theory]
        [InlineData("NonInteractiveSwitch")]
        [InlineData("Default Host")]
        [InlineData("ServerRemoteHost")]
        [InlineData("HostHasUserInterface=false")]
        [InlineData("UserInteractive=false")]
        [InlineData("Windows session 0")]
        [InlineData("ConsoleHost input redirected")]
        public async Task WhereNoOneCanAnswerItFailsAtOnceWithoutListenerBrowserPromptOrWords(string reason)
        {
            var facts = NoOneThere(reason);
            // Holding the port proves nothing tried to bind it: a bind would fail with RedirectPortInUse instead.
            var held = new TcpListener(IPAddress.Loopback, 0);
            held.Start();
            try
            {
                var port = ((IPEndPoint)held.LocalEndpoint).Port;
                foreach (var redirect in new[] { new Uri($"http://127.0.0.1:{port}/callback"), Https })
                {
                    var browser = new CallbackBrowser((url, q) => "?code=x&state=y");
                    var prompt = new PastingPrompt(_ => "https://app.example/cb?code=x&state=y");
                    var stopwatch = Stopwatch.StartNew();
                    var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Flow(browser, prompt).RunAsync(Options(redirect), facts, CancellationToken.None));

                    Assert.True(ErrorIds.InteractionRequired == ex.ErrorId, $"{reason} with {redirect}: {ex.ErrorId} {ex.Message}");
                    Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"{reason}: took {stopwatch.Elapsed}");
                    Assert.Empty(browser.Opened);
                    Assert.Equal(0, prompt.Calls);
                    Assert.Empty(report.Log);
                    Assert.Equal(0, tokenEndpoint.Calls);
                }
            }
            finally
            {
                held.Stop();
            }
        }

        [Theory]
        [InlineData("no display", null)]
        [InlineData("ssh", "SSH_CONNECTION")]
        public async Task WithoutADisplayOrOverSshNoBrowserIsOpenedAndThePortForwardIsShown(string why, string sshVariable)
        {
            var environment = sshVariable == null ? new (string, string)[] { ("HOME", "/home/u") } : new[] { ("DISPLAY", ":0"), (sshVariable, "10.0.0.2 50000 10.0.0.1 22") };
            var browser = new CallbackBrowser((url, q) => "?code=x&state=y");
            var run = Flow(browser).RunAsync(Options(new Uri("http://127.0.0.1:0/callback")), Desk(environment), CancellationToken.None);

            await Samples.Until(() => report.Information.Any(l => l.StartsWith("Waiting up to", StringComparison.Ordinal)), "the flow waits for the callback");
            var url = ReportedUrl(report.Information);
            var q = Query(url.Query);
            var port = new Uri(q["redirect_uri"]).Port;
            await CallbackBrowser.Get(new Uri(q["redirect_uri"] + $"?code={Code}&state={Uri.EscapeDataString(q["state"])}"));
            await run;

            Assert.Empty(browser.Opened);
            Assert.True(report.Information.Any(l => l.Contains($"ssh -L {port}:127.0.0.1:{port}")), why + ":\n" + string.Join("\n", report.Information));
        }

        [Fact]
        public async Task NoBrowserGivesTheLocalhostPortForwardForALocalhostRedirect()
        {
            var browser = new CallbackBrowser((url, q) => "?code=x&state=y");
            var run = Flow(browser).RunAsync(Options(new Uri("http://localhost:0/callback"), noBrowser: true), Desk(), CancellationToken.None);

            await Samples.Until(() => report.Information.Any(l => l.StartsWith("Waiting up to", StringComparison.Ordinal)), "the flow waits for the callback");
            var q = Query(ReportedUrl(report.Information).Query);
            var port = new Uri(q["redirect_uri"]).Port;
            await CallbackBrowser.Get(new Uri(q["redirect_uri"] + $"?code={Code}&state={Uri.EscapeDataString(q["state"])}"));
            await run;

            Assert.Empty(browser.Opened);
            Assert.Contains(report.Information, l => l.Contains("-NoBrowser was given") && l.Contains($"ssh -L {port}:localhost:{port}"));
        }

        [Fact]
        public async Task CtrlCEndsTheWaitAtOnceAndFreesThePort()
        {
            using var cancel = new CancellationTokenSource();
            var browser = new CallbackBrowser((url, q) => null);
            var run = Flow(browser).RunAsync(Options(new Uri("http://127.0.0.1:0/callback"), TimeSpan.FromSeconds(300)), Desk(), cancel.Token);
            await Samples.Until(() => report.Information.Any(l => l.StartsWith("Waiting up to", StringComparison.Ordinal)), "the flow waits for the callback");
            var port = new Uri(Query(ReportedUrl(report.Information).Query)["redirect_uri"]).Port;

            var stopwatch = Stopwatch.StartNew();
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"took {stopwatch.Elapsed}");

            var again = new TcpListener(IPAddress.Loopback, port);
            again.Start();
            again.Stop();
            Assert.Equal(0, tokenEndpoint.Calls);
        }

        [Fact]
        public async Task AnHttpsRedirectAsksForThePastedAddressAndExchangesIt()
        {
            var prompt = new PastingPrompt(url => $"  https://app.example/cb?code={Code}&state={Uri.EscapeDataString(Query(url.Query)["state"])}  ");
            prompt.Reporter = report;
            var browser = new CallbackBrowser((url, q) => null);
            var connection = await Flow(browser, prompt).RunAsync(Options(Https), Desk(), CancellationToken.None);

            Assert.Equal(Samples.NewAccessToken, Samples.Plain(connection.AccessToken));
            Assert.Equal(1, prompt.Calls);
            Assert.Single(browser.Opened);
            var q = Query(browser.Opened.Single().Query);
            Assert.Equal("https://app.example/cb", q["redirect_uri"]);
            var body = Query(tokenEndpoint.LastBody);
            Assert.Equal(Code, body["code"]);
            Assert.Equal("https://app.example/cb", body["redirect_uri"]);
            Assert.Equal(q["code_challenge"], Pkce.Challenge(body["code_verifier"]));
            Assert.DoesNotContain(Code, report.All);
            Assert.Equal(1, browser.Handoff.Disposals);
        }

        [Fact]
        public async Task EndOfInputAtThePasteIsInteractionRequired()
        {
            var prompt = new PastingPrompt(_ => null);
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Flow(new CallbackBrowser((url, q) => null), prompt).RunAsync(Options(Https), Desk(), CancellationToken.None));
            Assert.Equal(ErrorIds.InteractionRequired, ex.ErrorId);
            Assert.Equal(1, prompt.Calls);
            Assert.Equal(0, tokenEndpoint.Calls);
        }

        [Fact]
        public async Task JunkAtThePasteIsInvalidRedirectUri()
        {
            var prompt = new PastingPrompt(_ => "not an address at all");
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Flow(new CallbackBrowser((url, q) => null), prompt).RunAsync(Options(Https), Desk(), CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidRedirectUri, ex.ErrorId);
            Assert.Equal(0, tokenEndpoint.Calls);
        }

        [Fact]
        public async Task APastedAddressWithTwoCodesIsRefusedAndNothingIsSent()
        {
            var prompt = new PastingPrompt(url => $"https://app.example/cb?code=S.19__one&code=S.19__two&state={Uri.EscapeDataString(Query(url.Query)["state"])}");
            prompt.Reporter = report;
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Flow(new CallbackBrowser((url, q) => null), prompt).RunAsync(Options(Https), Desk(), CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidRedirectUri, ex.ErrorId);
            Assert.Contains("more than one code", ex.Message);
            Assert.Equal(0, tokenEndpoint.Calls);
        }

        /// <summary>GET / on the listener at once, synchronously (inside a reporter call): the status line, or the failure.</summary>
        private static string RawGet(Uri redirect, string target)
        {
            try
            {
                using var client = new TcpClient(AddressFamily.InterNetwork);
                client.Connect(IPAddress.Loopback, redirect.Port);
                var stream = client.GetStream();
                stream.ReadTimeout = 15000;
                var request = Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{redirect.Port}\r\n\r\n");
                stream.Write(request, 0, request.Length);
                using var reader = new StreamReader(stream, Encoding.ASCII);
                return reader.ReadLine();
            }
            catch (Exception ex) when (ex is SocketException || ex is IOException)
            {
                return "not listening: " + ex.Message;
            }
        }

        /// <summary>A reporter that also keeps one ordered log of everything, and lets a test act when a line is reported.</summary>
        private sealed class OrderedReporter : IReporter
        {
            public ConcurrentQueue<string> Log { get; } = new ConcurrentQueue<string>();

            public ConcurrentQueue<string> Information { get; } = new ConcurrentQueue<string>();

            public ConcurrentQueue<string> Warnings { get; } = new ConcurrentQueue<string>();

            public Action<string> OnInformation { get; set; }

            public string All => string.Join("\n", Log);

            void IReporter.Information(string message, bool scrub)
            {
                Log.Enqueue("information: " + message);
                Information.Enqueue(message);
                OnInformation?.Invoke(message);
            }

            void IReporter.Verbose(string message) => Log.Enqueue("verbose: " + message);

            void IReporter.Warning(string message)
            {
                Log.Enqueue("warning: " + message);
                Warnings.Enqueue(message);
            }

            void IReporter.Error(TSheetsAuthException error) => Log.Enqueue("error: " + error.Message);

            void IReporter.Progress(string activity, string status, bool completed) => Log.Enqueue("progress: " + status);
        }

        /// <summary>
        /// A browser that, when asked to open the URL, follows it to the redirect URI with the query
        /// the test chooses (null: go nowhere), the way the server would send it back.
        /// </summary>
        private sealed class CallbackBrowser : IBrowserLauncher
        {
            private static readonly HttpClient Http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };
            private readonly Func<Uri, Dictionary<string, string>, string> answer;
            private readonly ConcurrentQueue<string> log;
            private readonly bool blocking;
            private readonly int repeat;

            public CallbackBrowser(Func<Uri, Dictionary<string, string>, string> answer, ConcurrentQueue<string> log = null, bool blocking = false, int repeat = 1)
            {
                this.answer = answer;
                this.log = log;
                this.blocking = blocking;
                this.repeat = repeat;
            }

            public ConcurrentQueue<Uri> Opened { get; } = new ConcurrentQueue<Uri>();

            public List<Task<(HttpStatusCode Status, string Body)>> Pages { get; } = new List<Task<(HttpStatusCode, string)>>();

            /// <summary>Stands for the page a real launcher hands over: the flow must dispose it when the sign-in ends.</summary>
            public HandedOver Handoff { get; } = new HandedOver();

            public static async Task<(HttpStatusCode Status, string Body)> Get(Uri address)
            {
                using var response = await Http.GetAsync(address).ConfigureAwait(false);
                Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
                return (response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
            }

            public IDisposable Open(Uri url, IReporter report)
            {
                Opened.Enqueue(url);
                log?.Enqueue("browser opened");
                var q = Query(url.Query);
                var query = answer(url, q);
                if (query == null)
                {
                    return Handoff;
                }

                var target = new Uri(q["redirect_uri"] + query);
                for (var i = 0; i < repeat; i++)
                {
                    var page = Get(target);
                    if (blocking)
                    {
                        page.GetAwaiter().GetResult();
                    }

                    Pages.Add(page);
                }

                return Handoff;
            }
        }

        private sealed class HandedOver : IDisposable
        {
            private int disposals;

            public int Disposals => Volatile.Read(ref disposals);

            public void Dispose() => Interlocked.Increment(ref disposals);
        }

        private sealed class ThrowingBrowser : IBrowserLauncher
        {
            private int calls;

            public int Calls => Volatile.Read(ref calls);

            public IDisposable Open(Uri url, IReporter report)
            {
                Interlocked.Increment(ref calls);
                throw new BrowserLaunchException("The browser could not be started (xdg-open): no browser here.");
            }
        }

        /// <summary>A paste: the answer is computed from the URL the flow reported (null: end of input).</summary>
        private sealed class PastingPrompt : IPrompt
        {
            private readonly Func<Uri, string> answer;
            private int calls;

            public PastingPrompt(Func<Uri, string> answer) => this.answer = answer;

            public OrderedReporter Reporter { get; set; }

            public int Calls => Volatile.Read(ref calls);

            public Task<SecureString> ReadSecretAsync(string prompt, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref calls);
                var url = Reporter == null ? null : ReportedUrl(Reporter.Information);
                return Task.FromResult(SecureStrings.FromPlainText(answer(url)));
            }
        }
    }
}
