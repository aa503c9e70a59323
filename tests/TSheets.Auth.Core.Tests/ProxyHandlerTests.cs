using System;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.Operations;
using Xunit;

namespace TSheets.Auth.Tests
{
    /// <summary>
    /// The handler right above the wire, over a fake one: what a proxy does becomes an error that
    /// names the proxy, and a plain-http request a proxy off this machine would carry never leaves.
    /// </summary>
    public sealed class ProxyHandlerTests : IDisposable
    {
        private static readonly Uri Api = new Uri("https://rest.tsheets.com/api/v1/current_user");
        private readonly TempFolder data = new TempFolder();

        public void Dispose() => data.Dispose();

        private static HttpMessageInvoker Over(HttpMessageHandler wire, NetworkSettings settings) =>
            new HttpMessageInvoker(new ProxyHandler(new ModuleProxy(settings, () => null), settings) { InnerHandler = wire });

        private static NetworkSettings Through(string proxy, NetworkCredential credential = null) => NetworkSettings.From(new Uri(proxy), credential, false, false, _ => null);

        private static Task<HttpResponseMessage> Send(HttpMessageInvoker invoker, Uri target) =>
            invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, target), CancellationToken.None);

        [Fact]
        public async Task A407IsProxyAuthenticationRequiredNamingTheProxyAndTheOptionsToUse()
        {
            var wire = FakeHandler.Sequence(() =>
            {
                var answer = FakeHandler.Response((HttpStatusCode)407, "<html>login</html>", "text/html");
                answer.Headers.ProxyAuthenticate.ParseAdd("Basic realm=\"corp\"");
                return answer;
            });
            var error = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(Over(wire, Through("http://u:secret-pw@proxy.corp:3128")), Api));
            Assert.Equal(ErrorIds.ProxyAuthenticationRequired, error.ErrorId);
            Assert.Equal(407, error.StatusCode);
            Assert.Contains("http://proxy.corp:3128", error.Message, StringComparison.Ordinal);
            Assert.Contains("refused the credentials", error.Message, StringComparison.Ordinal);
            Assert.Contains("-ProxyCredential", error.Message, StringComparison.Ordinal);
            Assert.Contains("-ProxyUseDefaultCredentials", error.Message, StringComparison.Ordinal);
            Assert.Contains("It offers: Basic.", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("secret-pw", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task ARefusedTunnelNamesTheProxyAndA407TunnelIsProxyAuthenticationRequired()
        {
            HttpRequestException Tunnel(HttpStatusCode status) =>
                new HttpRequestException(HttpRequestError.ProxyTunnelError, $"The proxy tunnel request to proxy 'http://proxy.corp:3128/' failed with status code '{(int)status}'.", null, status);
            var refused = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(Over(new FakeHandler((_, _, _) => throw Tunnel(HttpStatusCode.Forbidden)), Through("http://proxy.corp:3128")), Api));
            Assert.Equal(ErrorIds.ServiceUnavailable, refused.ErrorId);
            Assert.StartsWith("The proxy http://proxy.corp:3128 refused to open a tunnel to https://rest.tsheets.com", refused.Message, StringComparison.Ordinal);
            var unanswered = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(Over(new FakeHandler((_, _, _) => throw Tunnel(HttpStatusCode.ProxyAuthenticationRequired)), Through("http://proxy.corp:3128")), Api));
            Assert.Equal(ErrorIds.ProxyAuthenticationRequired, unanswered.ErrorId);
            Assert.Contains("asks for credentials and none were given", unanswered.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task AProxyThatCannotBeReachedIsNamedNotTSheets()
        {
            var dead = new FakeHandler((_, _, _) => throw new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused)));
            var error = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(Over(dead, Through("http://127.0.0.1:9")), Api));
            Assert.Equal(ErrorIds.ServiceUnavailable, error.ErrorId);
            Assert.StartsWith("The proxy http://127.0.0.1:9 could not be reached", error.Message, StringComparison.Ordinal);
            // Without a proxy the failure passes on unchanged, for the one-try handler to describe.
            await Assert.ThrowsAsync<HttpRequestException>(() => Send(Over(dead, NetworkSettings.From(null, null, false, true, _ => null)), Api));
        }

        [Fact]
        public async Task AnHtmlPageThroughAProxyIsTheProxysOwnWithItsTitle()
        {
            var wire = FakeHandler.Sequence(() => FakeHandler.Response(HttpStatusCode.Forbidden, "<html><title>Access Denied by policy</title></html>", "text/html"));
            var error = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(Over(wire, Through("http://proxy.corp:3128")), Api));
            Assert.Equal(ErrorIds.InvalidServerResponse, error.ErrorId);
            Assert.StartsWith("A request to https://rest.tsheets.com through the proxy http://proxy.corp:3128 got HTTP 403 and an HTML page titled 'Access Denied by policy'", error.Message, StringComparison.Ordinal);

            // A 5xx page through a tunnel is the server's: it goes on, to be retried and described as TSheets' answer.
            var down = FakeHandler.Sequence(() => FakeHandler.Response(HttpStatusCode.ServiceUnavailable, "<html><title>Maintenance</title></html>", "text/html"));
            using (var answer = await Send(Over(down, Through("http://proxy.corp:3128")), Api))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            }
        }

        [Theory]
        [InlineData("http://proxy.corp:3128", false)]
        [InlineData("http://10.0.0.5:3128", false)]
        [InlineData("http://127.0.0.1:3128", true)]
        [InlineData("http://localhost:3128", true)]
        [InlineData("http://[::1]:3128", true)]
        public async Task PlainHttpGoesOnlyThroughAProxyOnThisMachine(string proxy, bool sent)
        {
            var wire = FakeHandler.Json(HttpStatusCode.OK, "{}");
            var plain = new Uri("http://127.0.0.1:5000/api/v1/grant");
            if (sent)
            {
                (await Send(Over(wire, Through(proxy)), plain)).Dispose();
            }
            else
            {
                var error = await Assert.ThrowsAsync<TSheetsAuthException>(() => Send(Over(wire, Through(proxy)), plain));
                Assert.Equal(ErrorIds.InvalidBaseUri, error.ErrorId);
                Assert.Contains("unencrypted", error.Message, StringComparison.Ordinal);
            }

            Assert.Equal(sent ? 1 : 0, wire.Calls);
            (await Send(Over(wire, Through(proxy)), Api)).Dispose();
        }

        [Fact]
        public async Task A407DuringARefreshKeepsTheTokenAndSaysWhatToDoNotToSignInAgain()
        {
            var wire = FakeHandler.Sequence(() => FakeHandler.Response((HttpStatusCode)407, string.Empty, "text/plain"));
            var clock = new FakeClock(Samples.Start);
            var operations = CoreSetup.Build(new CoreSettings { Environment = _ => null, Clock = clock, DataFolder = data.Path, PrimaryHandler = wire });
            var stored = await operations.ApplyAsync(operations.PlanSetToken(new SetTokenOptions
            {
                Name = "behind-proxy",
                AccessToken = SecureStrings.FromPlainText("S.7__kept-access-token"),
                RefreshToken = SecureStrings.FromPlainText("kept-refresh-token-0123456789"),
                ClientId = "client",
                ClientSecret = SecureStrings.FromPlainText("client-secret-0123456789"),
                ExpiresOn = Samples.Start.AddMinutes(-1),
            }), new RecordingReporter(), CancellationToken.None);
            clock.Advance(TimeSpan.FromMinutes(1));

            var query = new ConnectionQuery { Name = "behind-proxy", Network = new NetworkOptions { Proxy = new Uri("http://proxy.corp:3128") } };
            var error = await Assert.ThrowsAsync<TSheetsAuthException>(() => operations.GetTokenAsync(query, new RecordingReporter(), CancellationToken.None));
            Assert.Equal(ErrorIds.ProxyAuthenticationRequired, error.ErrorId);
            Assert.DoesNotContain("sign in again", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Equal("kept-refresh-token-0123456789", Samples.Plain(operations.Parts.Session.Get("behind-proxy").RefreshToken));
            Assert.Equal("S.7__kept-access-token", Samples.Plain(operations.Parts.Session.Get("behind-proxy").AccessToken));
            Assert.Null(stored.Vault);
        }

        [Fact]
        public void EqualSettingsShareOneHandlerSoConnectionsStayPooled()
        {
            var primaries = new PrimaryHandlers((_, _) => new FakeHandler((_, _, _) => throw new InvalidOperationException("not sent")), () => null);
            string Variables(string name) => name == "HTTPS_PROXY" ? "http://env-proxy:1" : null;
            var first = primaries.For(NetworkSettings.From(null, null, false, false, Variables));
            Assert.Same(first, primaries.For(NetworkSettings.From(null, null, false, false, Variables)));
            Assert.NotSame(first, primaries.For(NetworkSettings.From(null, null, false, false, _ => null)));
            var withPassword = primaries.For(NetworkSettings.From(new Uri("http://p:1"), new NetworkCredential("u", "one-password"), false, false, _ => null));
            Assert.Same(withPassword, primaries.For(NetworkSettings.From(new Uri("http://p:1"), new NetworkCredential("u", "one-password"), false, false, _ => null)));
            Assert.NotSame(withPassword, primaries.For(NetworkSettings.From(new Uri("http://p:1"), new NetworkCredential("u", "other-password"), false, false, _ => null)));
        }

        [Fact]
        public async Task AProxyPasswordInUseIsMaskedInEveryReportAndErrorLikeAToken()
        {
            var wire = FakeHandler.Sequence(() => FakeHandler.Response((HttpStatusCode)407, string.Empty, "text/plain"));
            var operations = CoreSetup.Build(new CoreSettings { Environment = _ => null, DataFolder = data.Path, PrimaryHandler = wire });
            Assert.Equal("say proxy-pass-0123 and dXNlcjpwcm94eS1wYXNzLTAxMjM=", operations.Scrub("say proxy-pass-0123 and dXNlcjpwcm94eS1wYXNzLTAxMjM="));
            await operations.ApplyAsync(operations.PlanSetToken(new SetTokenOptions { Name = "p", AccessToken = SecureStrings.FromPlainText("S.7__token") }), new RecordingReporter(), CancellationToken.None);
            var call = new ApiCallOptions { Name = "p", Path = "current_user", Network = new NetworkOptions { Proxy = new Uri("http://user:proxy-pass-0123@127.0.0.1:3128") } };
            await Assert.ThrowsAsync<TSheetsAuthException>(() => operations.InvokeAsync(call, new RecordingReporter(), CancellationToken.None));
            Assert.Equal("say *** and ***", operations.Scrub("say proxy-pass-0123 and dXNlcjpwcm94eS1wYXNzLTAxMjM="));
        }
    }
}
