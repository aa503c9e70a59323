using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using TSheets.Auth.Common;
using TSheets.Auth.Interactive;
using TSheets.Auth.Reporting;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Tests
{
    public class LoopbackListenerTests
    {
        private const string State = "the-expected-state";

        private static Uri Redirect(int port, string host = "127.0.0.1") => new Uri($"http://{host}:{port}/callback");

        /// <summary>Sends raw bytes and returns the whole answer (empty if the server closed without one).</summary>
        private static async Task<string> Raw(int port, byte[] request, string host = "127.0.0.1")
        {
            using var client = new TcpClient(host == "::1" ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
            await client.ConnectAsync(IPAddress.Parse(host), port);
            var stream = client.GetStream();
            await stream.WriteAsync(request);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var read = reader.ReadToEndAsync();
            return await read.WaitAsync(TimeSpan.FromSeconds(15));
        }

        private static Task<string> Get(int port, string target, string host = "127.0.0.1") =>
            Raw(port, Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: test\r\n\r\n"), host);

        [Fact]
        public async Task ReturnsTheCodeAndAnswersTheBrowserWithoutEchoingIt()
        {
            using var listener = LoopbackListener.Start(Redirect(0), State);
            var port = listener.RedirectUri.Port;
            var wait = listener.WaitForCodeAsync(TimeSpan.FromSeconds(30), CancellationToken.None);

            var page = await Get(port, $"/callback?code=S.19__secretcode123&state={State}");

            Assert.Equal("S.19__secretcode123", await wait);
            Assert.StartsWith("HTTP/1.1 200 OK", page);
            Assert.Contains("Cache-Control: no-store", page);
            Assert.Contains("Referrer-Policy: no-referrer", page);
            Assert.Contains("completing the sign-in in PowerShell", page);
            Assert.DoesNotContain("Signed in", page);
            Assert.DoesNotContain("secretcode123", page);
        }

        [Fact]
        public async Task IgnoresAWrongOrMissingStateAndKeepsWaiting()
        {
            using var listener = LoopbackListener.Start(Redirect(0), State);
            var port = listener.RedirectUri.Port;
            var wait = listener.WaitForCodeAsync(TimeSpan.FromSeconds(30), CancellationToken.None);

            var forged = await Get(port, "/callback?code=S.19__forged&state=not-it");
            var missing = await Get(port, "/callback?code=S.19__forged");
            var doubled = await Get(port, $"/callback?code=S.19__forged&state={State}&state=x");
            Assert.All(new[] { forged, missing, doubled }, p => Assert.StartsWith("HTTP/1.1 400", p));
            Assert.False(wait.IsCompleted);
            Assert.Equal(3, listener.RejectedCount);

            await Get(port, $"/callback?code=S.19__real&state={State}");
            Assert.Equal("S.19__real", await wait);
        }

        [Fact]
        public async Task EndsWithAuthorizationDeniedOnAnErrorWithTheRightState()
        {
            using var listener = LoopbackListener.Start(Redirect(0), State);
            var port = listener.RedirectUri.Port;
            var wait = listener.WaitForCodeAsync(TimeSpan.FromSeconds(30), CancellationToken.None);

            var page = await Get(port, $"/callback?error=access_denied&error_description=The%20user%20denied%20access&state={State}");

            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => wait);
            Assert.Equal(ErrorIds.AuthorizationDenied, ex.ErrorId);
            Assert.Contains("The user denied access", ex.Message);
            Assert.Contains("The user denied access", page);
        }

        [Theory]
        [InlineData("GET /favicon.ico HTTP/1.1", "404")]
        [InlineData("GET / HTTP/1.1", "404")]
        [InlineData("GET /callbackx?state=the-expected-state HTTP/1.1", "404")]
        [InlineData("POST /callback?code=c&state=the-expected-state HTTP/1.1", "405")]
        [InlineData("HELLO", "400")]
        public async Task AnswersOnlyTheRedirectPath(string requestLine, string status)
        {
            using var listener = LoopbackListener.Start(Redirect(0), State);
            var port = listener.RedirectUri.Port;
            var page = await Raw(port, Encoding.ASCII.GetBytes(requestLine + "\r\nHost: x\r\n\r\n"));
            Assert.StartsWith("HTTP/1.1 " + status, page);
            Assert.Equal(0, listener.RejectedCount);
        }

        [Fact]
        public async Task TimesOutSayingHowManyWereIgnored()
        {
            using var listener = LoopbackListener.Start(Redirect(0), State, "default");
            var port = listener.RedirectUri.Port;
            var wait = listener.WaitForCodeAsync(TimeSpan.FromSeconds(1.5), CancellationToken.None);
            await Get(port, "/callback?error=access_denied&state=forged");

            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => wait);
            Assert.Equal(ErrorIds.AuthorizationTimedOut, ex.ErrorId);
            Assert.Contains("1 request(s)", ex.Message);
            Assert.Contains("access_denied", ex.Message);
            Assert.Equal("default", ex.Target);
        }

        [Fact]
        public async Task StopsAtOnceOnCancellationAndFreesThePort()
        {
            int port;
            using var cancellation = new CancellationTokenSource();
            var watch = Stopwatch.StartNew();
            using (var listener = LoopbackListener.Start(Redirect(0), State))
            {
                port = listener.RedirectUri.Port;
                var wait = listener.WaitForCodeAsync(TimeSpan.FromMinutes(5), cancellation.Token);
                cancellation.CancelAfter(200);
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
            var again = new TcpListener(IPAddress.Loopback, port);
            again.Start();
            again.Stop();
        }

        [Fact]
        public void ReportsAPortInUse()
        {
            var taken = new TcpListener(IPAddress.Loopback, 0);
            taken.Start();
            try
            {
                var port = ((IPEndPoint)taken.LocalEndpoint).Port;
                var ex = Assert.Throws<TSheetsAuthException>(() => LoopbackListener.Start(Redirect(port), State, "default"));
                Assert.Equal(ErrorIds.RedirectPortInUse, ex.ErrorId);
                Assert.Contains(port.ToString(), ex.Message);
            }
            finally
            {
                taken.Stop();
            }
        }

        [Fact]
        public async Task ListensOnBothLoopbacksForLocalhost()
        {
            using var listener = LoopbackListener.Start(Redirect(0, "localhost"), State);
            var port = listener.RedirectUri.Port;
            var wait = listener.WaitForCodeAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            Assert.StartsWith("HTTP/1.1 404", await Get(port, "/other", "127.0.0.1"));
            if (Socket.OSSupportsIPv6)
            {
                Assert.StartsWith("HTTP/1.1 404", await Get(port, "/other", "::1"));
            }

            await Get(port, $"/callback?code=c1&state={State}");
            Assert.Equal("c1", await wait);
        }

        [Fact]
        public async Task SurvivesJunkTlsHellosOversizedAndHalfSentRequests()
        {
            var limits = new ListenerLimits { ReadTimeout = TimeSpan.FromSeconds(2) };
            using var listener = LoopbackListener.Start(Redirect(0), State, null, limits);
            var port = listener.RedirectUri.Port;
            var wait = listener.WaitForCodeAsync(TimeSpan.FromSeconds(30), CancellationToken.None);

            // A TLS ClientHello (a browser that tried https), random bytes, a 64 KB header.
            var tlsHello = new byte[] { 0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03 }.Concat(new byte[160]).ToArray();
            var junk = new byte[4096];
            new Random(7).NextBytes(junk);
            var oversized = Encoding.ASCII.GetBytes("GET /callback HTTP/1.1\r\nX-Big: " + new string('a', 64 * 1024) + "\r\n\r\n");
            using var halfSent = new TcpClient();
            await halfSent.ConnectAsync(IPAddress.Loopback, port);
            await halfSent.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET /callback?code=x&st"));

            var answers = await Task.WhenAll(Raw(port, tlsHello), Raw(port, junk), Raw(port, oversized));
            Assert.DoesNotContain(answers, a => a.StartsWith("HTTP/1.1 200"));
            Assert.StartsWith("HTTP/1.1 431", answers[2]);

            await Get(port, $"/callback?code=after-abuse&state={State}");
            Assert.Equal("after-abuse", await wait);
        }

        [Fact]
        public async Task StillTakesTheRealCallbackAfterAFloodOfIdleConnections()
        {
            using var listener = LoopbackListener.Start(Redirect(0), State);
            var port = listener.RedirectUri.Port;
            var wait = listener.WaitForCodeAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            var flood = new TcpClient[100];
            try
            {
                for (var i = 0; i < flood.Length; i++)
                {
                    flood[i] = new TcpClient();
                    await flood[i].ConnectAsync(IPAddress.Loopback, port);
                    await flood[i].GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET /call"));
                }

                var watch = Stopwatch.StartNew();
                var page = await Get(port, $"/callback?code=after-flood&state={State}");
                Assert.StartsWith("HTTP/1.1 200", page);
                Assert.Equal("after-flood", await wait);
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
            }
            finally
            {
                foreach (var client in flood)
                {
                    client?.Dispose();
                }
            }
        }

        [Fact]
        public async Task CountsTheHeadCapOverTheWholeHeadNotEachRead()
        {
            using var listener = LoopbackListener.Start(Redirect(0), State);
            var port = listener.RedirectUri.Port;
            var wait = listener.WaitForCodeAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            var twentyKb = Encoding.ASCII.GetBytes($"GET /callback?code=big&state={State} HTTP/1.1\r\nX-Pad: " + new string('a', 20 * 1024) + "\r\n\r\n");
            Assert.StartsWith("HTTP/1.1 431", await Raw(port, twentyKb));
            Assert.False(wait.IsCompleted);
            var justUnder = Encoding.ASCII.GetBytes($"GET /callback?code=fits&state={State} HTTP/1.1\r\nX-Pad: " + new string('a', 15 * 1024) + "\r\n\r\n");
            Assert.StartsWith("HTTP/1.1 200", await Raw(port, justUnder));
            Assert.Equal("fits", await wait);
        }

        [Fact]
        public async Task RefusesACallbackThatCarriesTwoCodes()
        {
            using var listener = LoopbackListener.Start(Redirect(0), State);
            var port = listener.RedirectUri.Port;
            var wait = listener.WaitForCodeAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            Assert.StartsWith("HTTP/1.1 400", await Get(port, $"/callback?code=one&code=two&state={State}"));
            Assert.False(wait.IsCompleted);
            await Get(port, $"/callback?code=one&state={State}");
            Assert.Equal("one", await wait);
        }

        [Fact]
        public async Task AnswersASecondCallbackAfterTheFirst()
        {
            using var listener = LoopbackListener.Start(Redirect(0), State);
            var port = listener.RedirectUri.Port;
            var wait = listener.WaitForCodeAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            await Get(port, $"/callback?code=first&state={State}");
            var second = await Get(port, $"/callback?code=second&state={State}");
            Assert.Equal("first", await wait);
            Assert.StartsWith("HTTP/1.1 409", second);
        }
    }

    public class BrowserCommandTests
    {
        [Theory]
        [InlineData("firefox", new[] { "firefox", "URL" })]
        [InlineData("my-browser --new-window %s --flag", new[] { "my-browser", "--new-window", "URL", "--flag" })]
        [InlineData("\"/opt/my browser/run\" -x 'a b'", new[] { "/opt/my browser/run", "-x", "a b", "URL" })]
        public void PlacesTheUrl(string command, string[] expected)
        {
            Assert.Equal(expected, BrowserCommandLine.BuildCommand(command, "URL"));
        }

        [Theory]
        [InlineData(new[] { "plain" }, "plain")]
        [InlineData(new[] { "a b", "c" }, "\"a b\" c")]
        [InlineData(new[] { "say \"hi\"" }, "\"say \\\"hi\\\"\"")]
        [InlineData(new[] { "C:\\path with\\" }, "\"C:\\path with\\\\\"")]
        [InlineData(new[] { "" }, "\"\"")]
        public void QuotesArgumentsForArgv(string[] arguments, string expected)
        {
            Assert.Equal(expected, BrowserCommandLine.JoinArguments(arguments));
        }

        /// <summary>BROWSER takes a URL: the page's file:// URI. The platform openers get its path.</summary>
        [Theory]
        [InlineData("my-browser", false, false, "my-browser|URI")]
        [InlineData("my-browser", true, false, "my-browser|URI")]
        [InlineData(null, true, false, "rundll32.exe|url.dll,FileProtocolHandler|PATH")] // System32\rundll32.exe on Windows
        [InlineData(null, false, true, "open|PATH")]
        [InlineData(null, false, false, "xdg-open|PATH")]
        [InlineData("  ", false, false, "xdg-open|PATH")]
        public void ChoosesTheOpenerForThePlatformAndHandsItThePage(string browser, bool windows, bool mac, string argv)
        {
            var path = Path.Combine(Path.GetTempPath(), "sign-in 1", "sign-in.html");
            var page = new Uri(path);
            var command = BrowserCommand.For(page, browser, windows, mac);
            Assert.Equal(argv.Replace("PATH", path).Replace("URI", page.AbsoluteUri), string.Join("|", command.Argv.Select(a => a.EndsWith("rundll32.exe", StringComparison.Ordinal) ? "rundll32.exe" : a)));
        }

        [Fact]
        public void ReportsAMissingBrowserAsALaunchFailureAndLeavesNoPage()
        {
            using var folder = new TempFolder();
            var launcher = new SystemBrowserLauncher(name => name == "BROWSER" ? "/nonexistent/browser-binary" : null, new PrivateFolder(folder.Path, "TSheets.Auth"));
            Assert.Throws<BrowserLaunchException>(() => launcher.Open(new Uri("https://example.com/"), NullReporter.Instance));
            Assert.Empty(Directory.GetDirectories(Path.Combine(folder.Path, "TSheets.Auth")));
        }

        [Fact]
        public async Task HandsTheBrowserAPrivatePageThatRedirectsToTheUrlNeverTheUrlAndRemovesItWhenDisposed()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }

            using var folder = new TempFolder();
            var argument = Path.Combine(folder.Path, "argument");
            var url = new Uri("https://rest.tsheets.com/api/v1/authorize?response_type=code&client_id=c&state=the-state-value&code_challenge=the-challenge");
            var launcher = new SystemBrowserLauncher(name => name == "BROWSER" ? $"sh -c 'echo \"$0\" > {argument}' %s" : null, new PrivateFolder(folder.Path, "TSheets.Auth"));

            var page = launcher.Open(url, NullReporter.Instance);
            await Samples.Until(() => File.Exists(argument) && File.ReadAllText(argument).EndsWith("\n", StringComparison.Ordinal), "the browser ran");
            var given = new Uri(File.ReadAllText(argument).Trim());
            Assert.True(given.IsFile, given.AbsoluteUri);
            Assert.DoesNotContain("the-state-value", given.AbsoluteUri);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(given.LocalPath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(given.LocalPath)));
            var html = File.ReadAllText(given.LocalPath);
            Assert.Contains("<meta http-equiv=\"refresh\" content=\"0;url=https://rest.tsheets.com/api/v1/authorize?response_type=code&amp;client_id=c&amp;state=the-state-value&amp;code_challenge=the-challenge\">", html);
            Assert.Contains("<a href=\"https://rest.tsheets.com/api/v1/authorize?response_type=code&amp;client_id=c&amp;state=the-state-value", html);

            page.Dispose();
            Assert.False(File.Exists(given.LocalPath));
            Assert.False(Directory.Exists(Path.GetDirectoryName(given.LocalPath)));
        }

        [Fact]
        public void RefusesToOpenABrowserWhenThePageCannotBePrivate()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }

            using var folder = new TempFolder();
            Directory.CreateDirectory(Path.Combine(folder.Path, "elsewhere"));
            Directory.CreateSymbolicLink(Path.Combine(folder.Path, "TSheets.Auth"), Path.Combine(folder.Path, "elsewhere"));
            var ran = Path.Combine(folder.Path, "ran");
            var launcher = new SystemBrowserLauncher(name => name == "BROWSER" ? $"touch {ran}" : null, new PrivateFolder(folder.Path, "TSheets.Auth"));

            var ex = Assert.Throws<BrowserLaunchException>(() => launcher.Open(new Uri("https://example.com/?state=s"), NullReporter.Instance));
            Assert.Contains("is a symbolic link", ex.Message);
            Assert.False(File.Exists(ran));
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(folder.Path, "elsewhere")));
        }

        [Fact]
        public async Task ReportsAnOpenerThatFailsWithItsOwnWordsAndSaysNothingOfOneThatSucceeds()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }

            using var pages = new TempFolder();
            var folder = new PrivateFolder(pages.Path, "TSheets.Auth");
            var failing = new RecordingReporter();
            new SystemBrowserLauncher(name => name == "BROWSER" ? "sh -c 'echo no display here >&2; exit 3' %s" : null, folder).Open(new Uri("https://example.com/"), failing);
            await Samples.Until(() => !failing.Warnings.IsEmpty, "the failing opener is reported");
            Assert.Contains("exited with code 3: no display here", Assert.Single(failing.Warnings));

            var quick = new RecordingReporter();
            var done = Path.Combine(Path.GetTempPath(), "tsheets-opener-" + Guid.NewGuid().ToString("n"));
            new SystemBrowserLauncher(name => name == "BROWSER" ? $"sh -c 'touch {done}' %s" : null, folder).Open(new Uri("https://example.com/"), quick);
            await Samples.Until(() => File.Exists(done), "the quick opener ran");
            File.Delete(done);
            Assert.Empty(quick.Warnings);

            // xdg-open's way: the browser it started keeps the error stream open after the opener failed.
            var holding = new RecordingReporter();
            new SystemBrowserLauncher(name => name == "BROWSER" ? "sh -c 'sleep 20 & exit 4' %s" : null, folder).Open(new Uri("https://example.com/"), holding);
            await Samples.Until(() => !holding.Warnings.IsEmpty, "the opener whose child holds its error stream is reported");
            Assert.Contains("exited with code 4.", Assert.Single(holding.Warnings));
        }
    }
}
