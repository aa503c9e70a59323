#nullable enable

using System;
using System.Collections.Generic;
using System.Net;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using Xunit;

namespace TSheets.Auth.Tests
{
    /// <summary>
    /// Which proxy the environment chooses for which target, with the environment injected (the real
    /// one never applies to the loopback emulator the Pester tests use), and the options' rules.
    /// </summary>
    public class ProxyChoiceTests
    {
        private static readonly Uri Api = new Uri("https://rest.tsheets.com/api/v1/current_user");
        private static readonly Uri PlainLocal = new Uri("http://127.0.0.1:5000/api/v1/grant");

        private static ProxyEnvironment Environment(params (string Name, string Value)[] variables)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in variables)
            {
                values[name] = value;
            }

            return ProxyEnvironment.Read(name => values.TryGetValue(name, out var value) ? value : null);
        }

        private static string? Chosen(Uri target, ProxyEnvironment environment) => ProxyChoice.FromEnvironment(target, environment)?.Address.AbsoluteUri;

        [Theory]
        [InlineData("HTTPS_PROXY")]
        [InlineData("https_proxy")]
        public void HttpsProxyInEitherCaseCarriesHttpsTargets(string name)
        {
            Assert.Equal("http://proxy.corp:3128/", Chosen(Api, Environment((name, "http://proxy.corp:3128"))));
            Assert.Null(Chosen(new Uri("http://api.example/x"), Environment((name, "http://proxy.corp:3128"))));
        }

        [Theory]
        [InlineData("HTTP_PROXY")]
        [InlineData("http_proxy")]
        public void HttpProxyInEitherCaseCarriesHttpTargetsOnly(string name)
        {
            Assert.Equal("http://proxy.corp:8080/", Chosen(new Uri("http://api.example/x"), Environment((name, "proxy.corp:8080"))));
            Assert.Null(Chosen(Api, Environment((name, "http://proxy.corp:8080"))));
        }

        [Fact]
        public void LowerCaseWinsOverUpperCaseAsCurlAndDotNetReadThem()
        {
            Assert.Equal("http://lower:1/", Chosen(Api, Environment(("HTTPS_PROXY", "http://upper:1"), ("https_proxy", "http://lower:1"))));
        }

        [Fact]
        public void AllProxyIsTheFallbackForEitherScheme()
        {
            var environment = Environment(("ALL_PROXY", "http://all:1"), ("http_proxy", "http://plain:2"));
            Assert.Equal("http://all:1/", Chosen(Api, environment));
            Assert.Equal("http://plain:2/", Chosen(new Uri("http://api.example/"), environment));
        }

        [Fact]
        public void HttpProxyIsNotReadInACgiScriptWhereARequestHeaderSetsIt()
        {
            Assert.Null(Chosen(new Uri("http://api.example/"), Environment(("HTTP_PROXY", "http://attacker:1"), ("REQUEST_METHOD", "GET"))));
            Assert.Equal("http://lower:1/", Chosen(new Uri("http://api.example/"), Environment(("http_proxy", "http://lower:1"), ("REQUEST_METHOD", "GET"))));
        }

        [Fact]
        public void UserAndPasswordInTheVariableAreTheProxyCredentialAndLeaveTheAddress()
        {
            var environment = Environment(("HTTPS_PROXY", "http://svc%40corp:p%3Ass%20w@proxy.corp:3128/"));
            var chosen = ProxyChoice.FromEnvironment(Api, environment)!;
            Assert.Equal("http://proxy.corp:3128/", chosen.Address.AbsoluteUri);
            Assert.Equal("svc@corp", chosen.Credential!.UserName);
            Assert.Equal("p:ss w", chosen.Credential.Password);
            Assert.DoesNotContain("p:ss", chosen.ToString(), StringComparison.Ordinal);
            var settings = new NetworkSettings(null, null, false, false, environment);
            Assert.Same(chosen.Credential, ProxyChoice.CredentialFor(new Uri("http://proxy.corp:3128/"), "Basic", settings, null));
            Assert.Null(ProxyChoice.CredentialFor(new Uri("http://other:3128/"), "Basic", settings, null));
            Assert.Contains("p:ss w", settings.Secrets());
        }

        [Theory]
        [InlineData("http://localhost:5000/api")]
        [InlineData("https://localhost:5001/api")]
        [InlineData("https://LOCALHOST./api")]
        [InlineData("http://127.0.0.1:5000/api")]
        [InlineData("http://127.8.9.10/api")]
        [InlineData("https://[::1]:5001/api")]
        [InlineData("https://[::ffff:127.0.0.1]:5001/api")]
        public void LoopbackTargetsAreNeverProxiedByTheEnvironmentOrTheSystem(string target)
        {
            var environment = Environment(("HTTPS_PROXY", "http://proxy.corp:3128"), ("HTTP_PROXY", "http://proxy.corp:3128"), ("ALL_PROXY", "http://proxy.corp:3128"));
            Assert.Null(Chosen(new Uri(target), environment));
            Assert.Null(ProxyChoice.For(new Uri(target), NetworkSettings.Default, _ => new Uri("http://system-proxy:8080")));
        }

        [Theory]
        [InlineData("rest.tsheets.com", true)]
        [InlineData("tsheets.com", true)]
        [InlineData(".tsheets.com", true)]
        [InlineData("*.tsheets.com", true)]
        [InlineData(".rest.tsheets.com", false)]
        [InlineData("sheets.com", false)]
        [InlineData("rest.tsheets.com:443", true)]
        [InlineData("rest.tsheets.com:8443", false)]
        [InlineData("*", true)]
        [InlineData("  other.example ,  REST.TSheets.COM  ", true)]
        [InlineData("other.example,,", false)]
        public void NoProxyMatchesHostsAndDomainSuffixesWithOrWithoutPort(string noProxy, bool direct)
        {
            var chosen = Chosen(Api, Environment(("HTTPS_PROXY", "http://proxy.corp:3128"), ("NO_PROXY", noProxy)));
            Assert.Equal(direct, chosen == null);
        }

        [Fact]
        public void AnEntryWithALeadingDotMatchesOnlyNamesUnderIt()
        {
            var environment = Environment(("HTTPS_PROXY", "http://proxy.corp:3128"), ("no_proxy", ".tsheets.com"));
            Assert.Null(Chosen(Api, environment));
            Assert.NotNull(Chosen(new Uri("https://tsheets.com/"), environment));
        }

        [Theory]
        [InlineData("10.1.2.3", "https://10.1.2.3/api", true)]
        [InlineData("10.1.2.3", "https://10.1.2.4/api", false)]
        [InlineData("10.0.0.0/8", "https://10.200.1.1/api", true)]
        [InlineData("10.0.0.0/8", "https://11.0.0.1/api", false)]
        [InlineData("10.1.2.3:8443", "https://10.1.2.3:8443/api", true)]
        [InlineData("10.1.2.3:8443", "https://10.1.2.3/api", false)]
        [InlineData("fd00::1", "https://[fd00::1]/api", true)]
        [InlineData("[fd00::1]:443", "https://[fd00::1]/api", true)]
        [InlineData("fd00::/16", "https://[fd00::9]/api", true)]
        [InlineData("fd00::/16", "https://10.1.2.3/api", false)]
        public void NoProxyMatchesAddressesAndBlocks(string noProxy, string target, bool direct)
        {
            var chosen = Chosen(new Uri(target), Environment(("HTTPS_PROXY", "http://proxy.corp:3128"), ("NO_PROXY", noProxy)));
            Assert.Equal(direct, chosen == null);
        }

        [Fact]
        public void AValueThatIsNoProxyIsIgnoredAndSaidWithoutQuotingIt()
        {
            var environment = Environment(("HTTPS_PROXY", "ftp://user:hunter22@proxy.corp"));
            Assert.Null(Chosen(Api, environment));
            var problem = Assert.Single(environment.Problems);
            Assert.Contains("HTTPS_PROXY", problem, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter22", problem, StringComparison.Ordinal);
        }

        [Fact]
        public void WithoutAProxyVariableTheSystemProxyDecidesAndNoProxyStillApplies()
        {
            var system = new Uri("http://system-proxy:8080");
            Assert.Equal("http://system-proxy:8080/", ProxyChoice.For(Api, NetworkSettings.Default, _ => system)!.Address.AbsoluteUri);
            Assert.Null(ProxyChoice.For(Api, NetworkSettings.Default, target => target));
            var bypass = new NetworkSettings(null, null, false, false, Environment(("NO_PROXY", "tsheets.com")));
            Assert.Null(ProxyChoice.For(Api, bypass, _ => system));
        }

        [Fact]
        public void AnExplicitProxyCarriesEveryTargetLoopbackIncludedAndNoProxyCarriesNone()
        {
            var explicitProxy = NetworkSettings.From(new Uri("http://127.0.0.1:3128"), null, false, false, _ => "http://env-proxy:1");
            Assert.Equal("http://127.0.0.1:3128/", ProxyChoice.For(new Uri("https://localhost:5001/api"), explicitProxy, _ => null)!.Address.AbsoluteUri);
            Assert.Equal("http://127.0.0.1:3128/", ProxyChoice.For(Api, explicitProxy, _ => null)!.Address.AbsoluteUri);
            var none = NetworkSettings.From(null, null, false, true, _ => "http://env-proxy:1");
            Assert.Null(ProxyChoice.For(Api, none, _ => new Uri("http://system-proxy:8080")));
            Assert.False(ProxyChoice.ForHandler(none).UseProxy);
        }

        [Fact]
        public void UseDefaultCredentialsAnswersEveryProxyAsTheLoggedOnUser()
        {
            var settings = NetworkSettings.From(new Uri("http://proxy.corp:3128"), null, true, false, _ => null);
            var handler = ProxyChoice.ForHandler(settings);
            Assert.True(handler.UseProxy);
            Assert.Same(CredentialCache.DefaultCredentials, handler.DefaultProxyCredentials);
            Assert.Same(CredentialCache.DefaultNetworkCredentials, ProxyChoice.CredentialFor(new Uri("http://proxy.corp:3128/"), "Negotiate", settings, null));
            Assert.Null(ProxyChoice.ForHandler(NetworkSettings.Default).DefaultProxyCredentials);
        }

        [Fact]
        public void AGivenCredentialWinsOverTheVariablesAndTheUserInfoOfProxyIsOne()
        {
            var given = new NetworkCredential("alice", "given-password");
            var settings = NetworkSettings.From(null, given, false, false, name => name == "HTTPS_PROXY" ? "http://bob:env-password@proxy.corp:3128" : null);
            Assert.Same(given, ProxyChoice.CredentialFor(new Uri("http://proxy.corp:3128/"), "Basic", settings, null));
            var inUri = NetworkSettings.From(new Uri("http://carol:uri%2Fpassword@127.0.0.1:3128"), null, false, false, _ => null);
            Assert.Equal("uri/password", ProxyChoice.CredentialFor(new Uri("http://127.0.0.1:3128/"), "Basic", inUri, null)!.Password);
            Assert.Equal("http://127.0.0.1:3128/", inUri.Proxy!.Address.AbsoluteUri);
        }

        [Theory]
        [InlineData(true, false, false, true)]
        [InlineData(false, true, false, true)]
        [InlineData(false, false, true, true)]
        [InlineData(false, true, true, false)]
        public void OptionsThatContradictEachOtherAreRefusedBeforeAnythingIsSent(bool proxy, bool credential, bool useDefault, bool noProxy)
        {
            var error = Assert.Throws<TSheetsAuthException>(() => NetworkSettings.From(
                proxy ? new Uri("http://proxy.corp:3128") : null, credential ? new NetworkCredential("u", "p") : null, useDefault, noProxy, _ => null));
            Assert.Equal(ErrorIds.AmbiguousParameterSet, error.ErrorId);
        }

        [Fact]
        public void EqualOptionsAndVariablesAreEqualSettingsAndTheVariablesDoNotMatterBesideAnExplicitProxy()
        {
            string? Env(string name) => name == "HTTPS_PROXY" ? "http://env:1" : null;
            Assert.Equal(NetworkSettings.From(null, null, false, false, Env), NetworkSettings.From(null, null, false, false, Env));
            Assert.NotEqual(NetworkSettings.From(null, null, false, false, Env), NetworkSettings.From(null, null, false, false, _ => null));
            Assert.Equal(NetworkSettings.From(new Uri("http://p:1"), null, false, false, Env), NetworkSettings.From(new Uri("http://p:1"), null, false, false, _ => null));
            Assert.NotEqual(
                NetworkSettings.From(new Uri("http://p:1"), new NetworkCredential("u", "one"), false, false, _ => null),
                NetworkSettings.From(new Uri("http://p:1"), new NetworkCredential("u", "two"), false, false, _ => null));
        }

        [Theory]
        [InlineData("ftp://proxy.corp")]
        [InlineData("mailto:proxy@corp.example")]
        [InlineData("file:///tmp/x")]
        public void AUriThatIsNoProxyIsSaidWhy(string text)
        {
            Assert.NotNull(ProxyAddress.Problem(new Uri(text)));
            Assert.Null(ProxyAddress.Problem(new Uri("socks5://127.0.0.1:1080")));
            Assert.Null(ProxyAddress.Problem(new Uri("https://proxy.corp:443")));
        }
    }
}
