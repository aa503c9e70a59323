using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.Interactive;
using TSheets.Auth.OAuth;
using TSheets.Auth.Reporting;
using TSheets.Auth.Tokens;
using Xunit;

namespace TSheets.Auth.Tests
{
    /// <summary>
    /// The paste-back prompt forgives a bad paste (asks again, saying what was wrong, a bounded
    /// number of times) and still ends the sign-in for what is no mistake of copying; the exchange's
    /// failures found after the browser say what to do.
    /// </summary>
    public sealed class PasteBackTests
    {
        private const string Code = "S.19__the-authorization-code";
        private static readonly Uri Https = new Uri("https://app.example/cb");

        private readonly RecordingReporter report = new RecordingReporter();
        private FakeHandler tokenEndpoint = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());

        private static InteractionFacts Desk() => new InteractionFacts { HostName = "ConsoleHost", HostHasUserInterface = true, UserInteractive = true, Environment = _ => null };

        private Task<Storage.Connection> Run(ScriptedPrompt prompt)
        {
            var signIn = new SignIn(new TokenClient(HttpPipelines.Plain(PrimaryHandlers.Using(tokenEndpoint)), TimeSpan.FromSeconds(30)), new FakeClock(Samples.Start));
            prompt.Reporter = report;
            var options = new InteractiveOptions { Name = "acme", App = Samples.App(), RedirectUri = Https, BaseUri = Samples.BaseUri, NoBrowser = true };
            return new InteractiveSignIn(signIn, new NoBrowser(), prompt, report).RunAsync(options, Desk(), CancellationToken.None);
        }

        /// <summary>The state the flow put in the URL it showed.</summary>
        private static string State(RecordingReporter report)
        {
            var line = report.Information.First(l => l.StartsWith("Sign in to TSheets and allow access: ", StringComparison.Ordinal));
            return PercentEncoding.ParseQuery(new Uri(line.Substring(line.IndexOf("https://", StringComparison.Ordinal))).Query).Single(p => p.Key == "state").Value;
        }

        [Fact]
        public async Task ABadPasteIsSaidAndAskedForAgainThenTheGoodOneSignsIn()
        {
            var prompt = new ScriptedPrompt(
                _ => "   ",
                _ => "https://app.example/cb?code=" + Code,
                state => $"https://app.example/cb?code={Code}&state={Uri.EscapeDataString(state)}");

            var connection = await Run(prompt);

            Assert.Equal(Samples.NewAccessToken, Samples.Plain(connection.AccessToken));
            Assert.Equal(3, prompt.Calls);
            var warnings = report.Warnings.ToArray();
            Assert.Equal(2, warnings.Length);
            Assert.StartsWith("Nothing was pasted. Paste it again (2 tries left).", warnings[0]);
            Assert.Contains("no 'state': it looks like a partial copy", warnings[1]);
            Assert.Contains("(1 try left)", warnings[1]);
            Assert.DoesNotContain("attack", string.Join("\n", warnings), StringComparison.OrdinalIgnoreCase);
            Assert.Equal(1, tokenEndpoint.Calls);
        }

        [Fact]
        public async Task ThreeBadPastesEndTheSignInSayingWhatWasWrongAndNothingIsSent()
        {
            var prompt = new ScriptedPrompt(_ => "not an address", _ => "https://other.example/cb?code=x&state=y", _ => "https://app.example/cb?state=");

            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Run(prompt));

            Assert.Equal(ErrorIds.InvalidRedirectUri, ex.ErrorId);
            Assert.Equal(3, prompt.Calls);
            Assert.Contains("That was the last of 3 tries", ex.Message);
            Assert.Contains("That is not an address", report.Warnings.First());
            Assert.Contains("is not the redirect URI https://app.example/cb", report.Warnings.Last());
            Assert.Equal(0, tokenEndpoint.Calls);
        }

        [Fact]
        public async Task AnotherSignInsStateEndsTheSignInAtOnce()
        {
            var prompt = new ScriptedPrompt(_ => $"https://app.example/cb?code={Code}&state=another-sign-in", _ => throw new InvalidOperationException("asked again"));

            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Run(prompt));

            Assert.Equal(ErrorIds.StateMismatch, ex.ErrorId);
            Assert.Equal(1, prompt.Calls);
            Assert.Equal(0, tokenEndpoint.Calls);
        }

        [Fact]
        public async Task AnExpiredCodeSaysToRunItAgainAndPasteWithin30Seconds()
        {
            tokenEndpoint = FakeHandler.Json(HttpStatusCode.BadRequest, "{\"error\":\"invalid_grant\",\"error_description\":\"The authorization code has expired\"}");
            var prompt = new ScriptedPrompt(state => $"https://app.example/cb?code={Code}&state={Uri.EscapeDataString(state)}");

            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Run(prompt));

            Assert.Equal(ErrorIds.GrantFailed, ex.ErrorId);
            Assert.Contains("run Connect-TSheets again and, if you paste the address, paste it within 30 seconds", ex.Message);
        }

        [Fact]
        public async Task AWrongClientSecretSaysTheBrowserPartWorkedAndWhatToCheck()
        {
            tokenEndpoint = FakeHandler.Json(HttpStatusCode.BadRequest, "{\"error\":\"invalid_client\",\"error_description\":\"The client credentials are invalid\"}");
            var prompt = new ScriptedPrompt(state => $"https://app.example/cb?code={Code}&state={Uri.EscapeDataString(state)}");

            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Run(prompt));

            Assert.Equal(ErrorIds.InvalidClient, ex.ErrorId);
            Assert.StartsWith("Access was allowed in the browser, but TSheets refused the app's credentials", ex.Message);
            Assert.Contains("client secret", ex.Message);
            Assert.Contains("-ClientAuthentication", ex.Message);
            Assert.DoesNotContain("***", ex.Message);
        }

        [Fact]
        public void APasteIsJudgedWithoutTheNetwork()
        {
            Assert.Null(PastedAddress.TryCode("", Https, "s", "acme", out var problem));
            Assert.Equal("Nothing was pasted.", problem);
            Assert.Null(PastedAddress.TryCode("ftp://app.example/cb", Https, "s", "acme", out problem));
            Assert.StartsWith("That is not an address.", problem);
            Assert.Null(PastedAddress.TryCode("https://app.example/cb?state=s", Https, "s", "acme", out problem));
            Assert.Contains("no code: it looks like a partial copy", problem);
            Assert.Equal(Code, PastedAddress.TryCode($" https://app.example/cb?code={Code}&state=s ", Https, "s", "acme", out problem));
            Assert.Null(problem);
            Assert.Equal(ErrorIds.AuthorizationDenied, Assert.Throws<TSheetsAuthException>(() => PastedAddress.TryCode("https://app.example/cb?error=access_denied&state=s", Https, "s", "acme", out _)).ErrorId);
        }

        /// <summary>Answers each prompt with the next script line, given the state of the URL the flow showed.</summary>
        private sealed class ScriptedPrompt : IPrompt
        {
            private readonly ConcurrentQueue<Func<string, string>> answers;
            private int calls;

            public ScriptedPrompt(params Func<string, string>[] answers) => this.answers = new ConcurrentQueue<Func<string, string>>(answers);

            public RecordingReporter Reporter { get; set; }

            public int Calls => Volatile.Read(ref calls);

            public Task<SecureString> ReadSecretAsync(string prompt, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref calls);
                return Task.FromResult(answers.TryDequeue(out var next) ? SecureStrings.FromPlainText(next(State(Reporter))) : null);
            }
        }

        private sealed class NoBrowser : IBrowserLauncher
        {
            public IDisposable Open(Uri url, IReporter report) => throw new InvalidOperationException("-NoBrowser: nothing is opened");
        }
    }
}
