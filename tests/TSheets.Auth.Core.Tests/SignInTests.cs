using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.OAuth;
using TSheets.Auth.Tokens;

namespace TSheets.Auth.Tests
{
    public class SignInTests
    {
        private static readonly Uri Redirect = new Uri("https://app.example/cb");
        private readonly FakeClock clock = new FakeClock(Samples.Start);

        private SignIn SignIn(FakeHandler handler) => new SignIn(new TokenClient(HttpPipelines.Plain(PrimaryHandlers.Using(handler)), TimeSpan.FromSeconds(10)), clock);

        [Fact]
        public async Task ExchangesACodeWithThePkceVerifierAndOneClientAuthentication()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            var verifier = Pkce.NewVerifier();
            var connection = await SignIn(handler).WithCodeAsync(new GrantRequest { Name = "acme", Client = Samples.App(), RedirectUri = Redirect, Code = "S.19__code", CodeVerifier = verifier, BaseUri = Samples.BaseUri }, CancellationToken.None);

            Assert.Equal("12345", connection.UserId);
            Assert.Equal("67890", connection.CompanyId);
            Assert.True(connection.CanRefresh);
            Assert.Equal(Samples.Start, connection.IssuedOn);
            Assert.Equal(ClientAuthentication.Post, connection.ClientAuthentication);
            Assert.Equal($"grant_type=authorization_code&code=S.19__code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&code_verifier={verifier}&client_id=client-id&client_secret=client-secret", handler.LastBody);
            Assert.Equal("application/x-www-form-urlencoded", handler.LastRequest.Content.Headers.ContentType.MediaType);
            Assert.Null(handler.LastRequest.Headers.Authorization);
        }

        [Fact]
        public async Task BasicClientAuthenticationPutsNothingOfTheClientInTheBodyAndEncodesThePair()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            var app = new ClientCredentials("id:with space", SecureStrings.FromPlainText("sé+cret"), ClientAuthentication.Basic);
            var connection = await SignIn(handler).WithCodeAsync(new GrantRequest { Name = "acme", Client = app, RedirectUri = Redirect, Code = "S.19__code", CodeVerifier = null, BaseUri = Samples.BaseUri }, CancellationToken.None);

            Assert.Equal(ClientAuthentication.Basic, connection.ClientAuthentication);
            Assert.Equal("grant_type=authorization_code&code=S.19__code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb", handler.LastBody);
            Assert.Equal("Basic", handler.LastRequest.Headers.Authorization.Scheme);
            var pair = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(handler.LastRequest.Headers.Authorization.Parameter));
            Assert.Equal("id%3Awith%20space:s%C3%A9%2Bcret", pair);
        }

        [Fact]
        public async Task RetriesAnExchangeOnceAtOnceWhenTheServerFailsOnTheWay()
        {
            var handler = FakeHandler.Sequence(
                () => FakeHandler.Response(HttpStatusCode.BadGateway, "bad gateway", "text/plain"),
                () => FakeHandler.Response(HttpStatusCode.OK, Samples.GrantJson()));
            var connection = await SignIn(handler).WithCodeAsync(new GrantRequest { Name = "acme", Client = Samples.App(), RedirectUri = Redirect, Code = "S.19__code", CodeVerifier = null, BaseUri = Samples.BaseUri }, CancellationToken.None);
            Assert.Equal(2, handler.Calls);
            Assert.Equal(Samples.NewAccessToken, Samples.Plain(connection.AccessToken));
            Assert.Empty(clock.Delays);
        }

        [Fact]
        public async Task DoesNotRetryAnExchangeTheServerRefused()
        {
            var handler = FakeHandler.Json(HttpStatusCode.BadRequest, "{\"error\":\"invalid_grant\",\"error_description\":\"The authorization code has expired\"}");
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => SignIn(handler).WithCodeAsync(new GrantRequest { Name = "acme", Client = Samples.App(), RedirectUri = Redirect, Code = "S.19__code", CodeVerifier = null, BaseUri = Samples.BaseUri }, CancellationToken.None));
            Assert.Equal(ErrorIds.GrantFailed, ex.ErrorId);
            Assert.Equal("invalid_grant", ex.ServerError);
            Assert.Equal(1, handler.Calls);
        }

        [Fact]
        public async Task GivesUpAfterTheOneRetry()
        {
            var handler = FakeHandler.Json(HttpStatusCode.ServiceUnavailable, "down");
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => SignIn(handler).WithCodeAsync(new GrantRequest { Name = "acme", Client = Samples.App(), RedirectUri = Redirect, Code = "S.19__code", CodeVerifier = null, BaseUri = Samples.BaseUri }, CancellationToken.None));
            Assert.Equal(ErrorIds.ServiceUnavailable, ex.ErrorId);
            Assert.Equal(2, handler.Calls);
        }

        [Fact]
        public async Task ConnectsFromARefreshTokenAndKeepsItWhenNotRotated()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson(refresh: null));
            var connection = await SignIn(handler).WithRefreshTokenAsync(new GrantRequest { Name = "default", Client = Samples.App(), RefreshToken = SecureStrings.FromPlainText(Samples.RefreshToken), BaseUri = Samples.BaseUri }, CancellationToken.None);
            Assert.Equal(Samples.RefreshToken, Samples.Plain(connection.RefreshToken));
            Assert.Null(handler.LastRequest.Headers.Authorization);
        }

        [Theory]
        [InlineData("has space")]
        [InlineData("line\r\nbreak")]
        [InlineData("nön-ascii")]
        public async Task RefusesARefreshTokenThatIsNotAPlainTokenBeforeSendingAnything(string refreshToken)
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => SignIn(handler).WithRefreshTokenAsync(new GrantRequest { Name = "default", Client = Samples.App(), RefreshToken = SecureStrings.FromPlainText(refreshToken), BaseUri = Samples.BaseUri }, CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidToken, ex.ErrorId);
            Assert.Equal(0, handler.Calls);
        }

        [Fact]
        public async Task RefusesAnEmptyClientSecretBeforeSendingAnything()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, Samples.GrantJson());
            var app = new ClientCredentials("client-id", SecureStrings.FromPlainText("  "), ClientAuthentication.Post);
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => SignIn(handler).WithCodeAsync(new GrantRequest { Name = "default", Client = app, RedirectUri = Redirect, Code = "S.19__code", CodeVerifier = null, BaseUri = Samples.BaseUri }, CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidClient, ex.ErrorId);
            Assert.Equal(0, handler.Calls);
        }

        [Fact]
        public async Task TakesTheCompanyFromClientIdWhenCompanyIdIsAbsentButNeverTheAppsOwnId()
        {
            var prose = FakeHandler.Json(HttpStatusCode.OK, "{\"access_token\":\"S.7__x1\",\"expires_in\":60,\"token_type\":\"bearer\",\"user_id\":\"1\",\"client_id\":\"67890\"}");
            var echo = FakeHandler.Json(HttpStatusCode.OK, "{\"access_token\":\"S.7__x1\",\"expires_in\":60,\"token_type\":\"bearer\",\"user_id\":\"1\",\"client_id\":\"client-id\"}");
            Assert.Equal("67890", (await SignIn(prose).WithCodeAsync(new GrantRequest { Name = "a", Client = Samples.App(), RedirectUri = Redirect, Code = "c", CodeVerifier = null, BaseUri = Samples.BaseUri }, CancellationToken.None)).CompanyId);
            Assert.Null((await SignIn(echo).WithCodeAsync(new GrantRequest { Name = "a", Client = Samples.App(), RedirectUri = Redirect, Code = "c", CodeVerifier = null, BaseUri = Samples.BaseUri }, CancellationToken.None)).CompanyId);
        }

        [Fact]
        public async Task StripsControlCharactersFromWhatTheServerSaysAboutTheUser()
        {
            var handler = FakeHandler.Json(HttpStatusCode.OK, "{\"access_token\":\"S.7__x1\",\"expires_in\":60,\"token_type\":\"bearer\",\"user_id\":\"1\\r\\nWARNING: forged\",\"client_url\":\"acme\\u001b]52;c;ZXZpbA==\\u0007co\"}");
            var connection = await SignIn(handler).WithCodeAsync(new GrantRequest { Name = "a", Client = Samples.App(), RedirectUri = Redirect, Code = "c", CodeVerifier = null, BaseUri = Samples.BaseUri }, CancellationToken.None);
            Assert.Equal("1 WARNING: forged", connection.UserId);
            Assert.Equal("acme]52;c;ZXZpbA==co", connection.ClientUrl);
        }
    }
}
