using System;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.Interactive;
using TSheets.Auth.OAuth;

namespace TSheets.Auth.Tests
{
    /// <summary>
    /// Random and mutated inputs for the parsers that read what the outside world sends, for a
    /// fixed time budget. The seed is printed so a failure can be replayed (set TSHEETS_FUZZ_SEED).
    /// Only the module's own exception may come out, and nothing may hang.
    /// </summary>
    public class FuzzTests
    {
        private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);
        private const string UrlAlphabet = "abcxyzABC0129-._~:/?#[]@!$&'()*+,;=% \"<>\\^`{|}\u00e9\u0000\r\n";
        private readonly ITestOutputHelper output;
        private readonly int seed;

        public FuzzTests(ITestOutputHelper output)
        {
            this.output = output;
            seed = int.TryParse(Environment.GetEnvironmentVariable("TSHEETS_FUZZ_SEED"), out var fixedSeed) ? fixedSeed : Environment.TickCount;
        }

        [Fact]
        public void RedirectedUrlParser()
        {
            var redirect = new Uri("https://app.example/callback");
            var seeds = new[]
            {
                "https://app.example/callback?code=S.19__0123456789abcdef&state=the-state",
                "https://app.example/callback?error=access_denied&error_description=no&state=the-state",
                "https://app.example/callback?state=the-state&state=x&code=",
            };
            var iterations = Run(random =>
            {
                var text = random.Next(3) == 0 ? RandomText(random, UrlAlphabet, 200) : Mutate(random, seeds[random.Next(seeds.Length)]);
                if (!Uri.TryCreate(text, UriKind.RelativeOrAbsolute, out var uri))
                {
                    return;
                }

                try
                {
                    AuthorizationResponse.FromRedirectedUrl(uri, redirect).GetCheckedCode("the-state", "default");
                }
                catch (TSheetsAuthException)
                {
                }
            });
            Assert.True(iterations > 100, iterations.ToString());
        }

        [Fact]
        public void CallbackRequestParser()
        {
            var handler = new CallbackHandler("/callback", "the-state", "default");
            var seeds = new[]
            {
                "GET /callback?code=c&state=the-state HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                "GET /favicon.ico HTTP/1.1\r\nHost: x\r\n",
                "POST /callback HTTP/1.0\r\nContent-Length: 5\r\n",
            };
            var iterations = Run(random =>
            {
                var head = random.Next(3) == 0 ? RandomText(random, UrlAlphabet + "\r\n ", 400) : Mutate(random, seeds[random.Next(seeds.Length)]);
                var answer = Encoding.ASCII.GetString(handler.Handle(head, out _));
                Assert.StartsWith("HTTP/1.1 ", answer);
                Assert.Contains("Cache-Control: no-store", answer);
            });
            Assert.True(iterations > 100, iterations.ToString());
        }

        [Fact]
        public void TokenResponseParser()
        {
            var seeds = new[]
            {
                Samples.GrantJson(),
                "{\"error\":\"invalid_grant\",\"error_description\":\"The authorization code has expired\"}",
                "{\"error\":{\"code\":417,\"message\":\"Expectation Failed\"}}",
                "<html><title>x</title></html>",
            };
            var statuses = new[] { 200, 201, 302, 400, 401, 404, 417, 429, 499, 500, 503 };
            var types = new[] { "application/json", "text/html", "text/plain", null };
            var iterations = Run(random =>
            {
                var body = random.Next(4) == 0 ? RandomText(random, "{}[]\":,0123456789.-eE truefalsnul\\u", 300) : Mutate(random, seeds[random.Next(seeds.Length)]);
                try
                {
                    var grant = TokenGrant.Parse(new HttpResult(statuses[random.Next(statuses.Length)], types[random.Next(types.Length)], body), "default", null, "client-id");
                    Assert.NotNull(grant.AccessToken);
                }
                catch (TSheetsAuthException)
                {
                }
            });
            Assert.True(iterations > 100, iterations.ToString());
        }

        private int Run(Action<Random> iteration)
        {
            output.WriteLine($"seed {seed} (replay with TSHEETS_FUZZ_SEED={seed})");
            var random = new Random(seed);
            var iterations = 0;
            var watch = Stopwatch.StartNew();
            var work = Task.Run(() =>
            {
                while (watch.Elapsed < Budget)
                {
                    try
                    {
                        iteration(random);
                    }
                    catch (Exception ex)
                    {
                        // Every failure names its seed, whatever the runner shows of the output.
                        throw new InvalidOperationException($"Input {iterations} failed; replay with TSHEETS_FUZZ_SEED={seed}: {ex.Message}", ex);
                    }

                    iterations++;
                }
            });
            Assert.True(work.Wait(Budget + TimeSpan.FromSeconds(10)), $"an input hung the parser (replay with TSHEETS_FUZZ_SEED={seed})");
            output.WriteLine($"{iterations} inputs");
            return iterations;
        }

        private static string RandomText(Random random, string alphabet, int maxLength)
        {
            var length = random.Next(maxLength);
            var text = new char[length];
            for (var i = 0; i < length; i++)
            {
                text[i] = random.Next(20) == 0 ? (char)random.Next(0x20, 0xFFFF) : alphabet[random.Next(alphabet.Length)];
            }

            return new string(text);
        }

        private static string Mutate(Random random, string text)
        {
            var builder = new StringBuilder(text);
            var mutations = 1 + random.Next(6);
            for (var i = 0; i < mutations; i++)
            {
                var at = builder.Length == 0 ? 0 : random.Next(builder.Length);
                switch (random.Next(5))
                {
                    case 0 when builder.Length > 0:
                        builder.Remove(at, 1);
                        break;
                    case 1:
                        builder.Insert(at, UrlAlphabet[random.Next(UrlAlphabet.Length)]);
                        break;
                    case 2 when builder.Length > 0:
                        builder[at] = (char)random.Next(0, 0x250);
                        break;
                    case 3:
                        builder.Insert(at, new string(builder.ToString().Skip(at).Take(random.Next(50)).ToArray()));
                        break;
                    default:
                        builder.Length = at;
                        break;
                }
            }

            return builder.ToString();
        }
    }
}
