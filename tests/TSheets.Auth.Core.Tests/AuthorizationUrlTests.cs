using System;
using System.Linq;
using Xunit;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.OAuth;
using TSheets.Auth.Operations;

namespace TSheets.Auth.Tests
{
    public class AuthorizationUrlTests
    {
        [Fact]
        public void BuildsTheDocumentedUrl()
        {
            var request = AuthorizationUrl.Create("MYAPPCLIENTID", new Uri("https://somedomain.com/callback"), "MYSTATE", pkce: false);
            Assert.Null(request.CodeVerifier);
            Assert.Equal(
                "https://rest.tsheets.com/api/v1/authorize?response_type=code&client_id=MYAPPCLIENTID&redirect_uri=https%3A%2F%2Fsomedomain.com%2Fcallback&state=MYSTATE",
                request.Url.AbsoluteUri);
            Assert.Equal(request.Url.AbsoluteUri, request.ToString());
            Assert.Equal("MYSTATE", request.State);
            Assert.Equal(UriRules.DefaultBaseUri, request.BaseUri);
        }

        [Fact]
        public void AddsAPkceChallengeOfAFreshVerifierByDefault()
        {
            var first = AuthorizationUrl.Create("c", new Uri("https://x.example/cb"), "s");
            var second = AuthorizationUrl.Create("c", new Uri("https://x.example/cb"), "s");
            Assert.True(Pkce.IsValidVerifier(first.CodeVerifier));
            Assert.Equal(43, first.CodeVerifier.Length);
            Assert.NotEqual(first.CodeVerifier, second.CodeVerifier);
            Assert.EndsWith("&state=s&code_challenge=" + Pkce.Challenge(first.CodeVerifier) + "&code_challenge_method=S256", first.Url.AbsoluteUri);
        }

        [Fact]
        public void ComputesTheS256ChallengeOfRfc7636AppendixB()
        {
            Assert.Equal("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", Pkce.Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        }

        [Fact]
        public void SendsScopesSpaceSeparatedAndNoneWhenNoneAreAsked()
        {
            var request = AuthorizationUrl.Create("c", new Uri("https://x.example/cb"), "s", scope: new[] { "openid", "offline_access", "openid" }, pkce: false);
            Assert.EndsWith("&state=s&scope=openid%20offline_access", request.Url.AbsoluteUri);
            Assert.Equal(new[] { "openid", "offline_access" }, request.Scope);
            Assert.Null(AuthorizationUrl.Create("c", new Uri("https://x.example/cb"), "s", scope: new string[0]).Scope);
        }

        /// <summary>Core as the module builds it (the values enter there, and are checked once).</summary>
        private static TSheetsOperations Operations() => CoreSetup.Build(new CoreSettings { Environment = _ => null, Vault = new MemoryVault(), PrimaryHandler = FakeHandler.Json(System.Net.HttpStatusCode.InternalServerError, "{}") });

        [Fact]
        public void NormalizesTheBaseUriWhereItEnters()
        {
            var request = Operations().CreateAuthorizationRequest(new SignInOptions { ClientId = "id", RedirectUri = new Uri("https://x.example/cb"), BaseUri = new Uri("http://localhost:5000/api/v1/") });
            Assert.Equal(new Uri("http://localhost:5000/api/v1"), request.BaseUri);
            Assert.StartsWith("http://localhost:5000/api/v1/authorize?", request.Url.AbsoluteUri, StringComparison.Ordinal);
        }

        [Fact]
        public void PercentEncodesPerRfc3986()
        {
            var request = AuthorizationUrl.Create("a b+c&d=é", new Uri("http://127.0.0.1:8400/cb?x=1"), "s t/~*'()!", new Uri("http://localhost:5000/api/v1/"));
            var query = request.Url.Query;
            Assert.Contains("client_id=a%20b%2Bc%26d%3D%C3%A9", query);
            Assert.Contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A8400%2Fcb%3Fx%3D1", query);
            Assert.Contains("state=s%20t%2F~%2A%27%28%29%21", query);
            Assert.StartsWith("http://localhost:5000/api/v1/authorize?", request.Url.AbsoluteUri);
        }

        [Fact]
        public void SendsTheRedirectUriExactlyAsGiven()
        {
            var request = AuthorizationUrl.Create("id", new Uri("http://localhost:8400"), "s");
            Assert.Contains("redirect_uri=http%3A%2F%2Flocalhost%3A8400&", request.Url.Query);
        }

        [Fact]
        public void GeneratesA32ByteBase64UrlState()
        {
            var states = Enumerable.Range(0, 50).Select(_ => AuthorizationUrl.Create("id", new Uri("https://x.example/cb")).State).ToList();
            Assert.All(states, s => Assert.Matches("^[A-Za-z0-9_-]{43}$", s));
            Assert.Equal(states.Count, states.Distinct().Count());
        }

        [Theory]
        [InlineData("http://example.com/api/v1")]
        [InlineData("ftp://127.0.0.1/api")]
        [InlineData("https://rest.tsheets.com/api/v1?x=1")]
        [InlineData("https://user@rest.tsheets.com/api/v1")]
        public void RejectsUnsafeBaseUris(string baseUri)
        {
            var ex = Assert.Throws<TSheetsAuthException>(() => Operations().CreateAuthorizationRequest(new SignInOptions { ClientId = "id", RedirectUri = new Uri("https://x.example/cb"), BaseUri = new Uri(baseUri) }));
            Assert.Equal(ErrorIds.InvalidBaseUri, ex.ErrorId);
        }

        [Theory]
        [InlineData("https://admin:hunter2-pass@rest.tsheets.com/api/v1", "https://rest.tsheets.com/api/v1")]
        [InlineData("http://admin:hunter2-pass@example.com:8443/api/v1?code=abc", "http://example.com:8443/api/v1")]
        public void NeverEchoesAUserNameAndPassword(string baseUri, string described)
        {
            var ex = Assert.Throws<TSheetsAuthException>(() => UriRules.NormalizeBaseUri(new Uri(baseUri)));
            Assert.Equal(ErrorIds.InvalidBaseUri, ex.ErrorId);
            Assert.Equal(described, ex.Target);
            Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
            Assert.Contains(described, ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void RejectsARelativeBaseUri()
        {
            var ex = Assert.Throws<TSheetsAuthException>(() => UriRules.NormalizeBaseUri(new Uri("api/v1", UriKind.Relative)));
            Assert.Equal(ErrorIds.InvalidBaseUri, ex.ErrorId);
        }

        [Theory]
        [InlineData("http://127.0.0.1:8400/cb")]
        [InlineData("http://localhost:8400/cb")]
        [InlineData("http://[::1]:8400/cb")]
        [InlineData("http://127.1.2.3/cb")]
        [InlineData("https://example.com/cb")]
        public void AcceptsHttpsAndLoopbackRedirects(string redirect)
        {
            var uri = new Uri(redirect);
            Assert.Same(uri, UriRules.ValidateRedirectUri(uri));
            Assert.Equal(uri, AuthorizationUrl.Create("id", uri, "s").RedirectUri);
        }

        [Theory]
        [InlineData("http://example.com/cb")]
        [InlineData("http://localhost.evil.example/cb")]
        [InlineData("myapp://callback")]
        [InlineData("https://example.com/cb#frag")]
        public void RejectsUnsafeRedirects(string redirect)
        {
            var ex = Assert.Throws<TSheetsAuthException>(() => Operations().CreateAuthorizationRequest(new SignInOptions { ClientId = "id", RedirectUri = new Uri(redirect), State = "s" }));
            Assert.Equal(ErrorIds.InvalidRedirectUri, ex.ErrorId);
        }
    }
}
