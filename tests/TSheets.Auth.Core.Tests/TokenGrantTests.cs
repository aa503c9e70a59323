using System;
using Xunit;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.OAuth;

namespace TSheets.Auth.Tests
{
    public class TokenGrantTests
    {
        private static TokenGrant Parse(int status, string body, string contentType = "application/json") =>
            TokenGrant.Parse(new HttpResult(status, contentType, body), "default", new[] { "my-client-secret" }, "client-id");

        private static TSheetsAuthException Fails(int status, string body, string contentType = "application/json") =>
            Assert.Throws<TSheetsAuthException>(() => Parse(status, body, contentType));

        [Fact]
        public void ReadsTheDocumentedAnswer()
        {
            var grant = Parse(200, Samples.GrantJson());
            Assert.Equal(Samples.NewAccessToken, SecureStrings.ToPlainText(grant.AccessToken));
            Assert.Equal(Samples.NewRefreshToken, SecureStrings.ToPlainText(grant.RefreshToken));
            Assert.Equal(TimeSpan.FromDays(10), grant.ExpiresIn);
            Assert.Equal("12345", grant.UserId);
            Assert.Equal("67890", grant.CompanyId);
            Assert.Equal("acmeco", grant.ClientUrl);
        }

        [Fact]
        public void AcceptsNumericIdsUnknownFieldsAndUppercaseType()
        {
            var grant = Parse(200, "{\"access_token\":\"S.7__x1\",\"expires_in\":\"3600\",\"token_type\":\"Bearer\",\"user_id\":12345,\"company_id\":67890,\"new_field\":{\"a\":[1,2]}}");
            Assert.Equal("12345", grant.UserId);
            Assert.Equal("67890", grant.CompanyId);
            Assert.Equal(TimeSpan.FromHours(1), grant.ExpiresIn);
            Assert.Null(grant.RefreshToken);
            Assert.Null(grant.ClientUrl);
        }

        [Fact]
        public void LeavesExpiryUnknownWhenAbsent()
        {
            Assert.Null(Parse(200, "{\"access_token\":\"S.7__x1\"}").ExpiresIn);
        }

        [Theory]
        [InlineData("")]
        [InlineData("null")]
        [InlineData("[]")]
        [InlineData("\"text\"")]
        [InlineData("{\"access_token\":\"S.7__x1\"")]
        [InlineData("{}")]
        [InlineData("{\"access_token\":null}")]
        [InlineData("{\"access_token\":12}")]
        [InlineData("{\"access_token\":\"\"}")]
        [InlineData("{\"access_token\":\"has space\"}")]
        [InlineData("{\"access_token\":\"S.7__x1\",\"expires_in\":-5}")]
        [InlineData("{\"access_token\":\"S.7__x1\",\"expires_in\":0}")]
        [InlineData("{\"access_token\":\"S.7__x1\",\"expires_in\":1e12}")]
        [InlineData("{\"access_token\":\"S.7__x1\",\"expires_in\":\"soon\"}")]
        [InlineData("{\"access_token\":\"S.7__x1\",\"expires_in\":true}")]
        [InlineData("{\"access_token\":\"S.7__x1\",\"token_type\":\"mac\"}")]
        [InlineData("{\"access_token\":\"S.7__x1\",\"user_id\":{\"id\":1}}")]
        [InlineData("{\"access_token\":\"S.7__x1\",\"refresh_token\":42}")]
        [InlineData("<html><title>Hotel Wi-Fi</title></html>")]
        public void RejectsWhatIsNotATokenAnswer(string body)
        {
            var ex = Fails(200, body);
            Assert.Equal(ErrorIds.InvalidServerResponse, ex.ErrorId);
        }

        [Fact]
        public void NamesTheCaptivePortal()
        {
            var ex = Fails(200, "<html><head><title>Hotel Wi-Fi</title></head></html>", "text/html");
            Assert.Contains("Hotel Wi-Fi", ex.Message);
        }

        [Fact]
        public void ReportsOAuthErrorsWithTheirCodeAndDescription()
        {
            var ex = Fails(400, "{\"error\":\"invalid_grant\",\"error_description\":\"The authorization code has expired\"}");
            Assert.Equal(ErrorIds.GrantFailed, ex.ErrorId);
            Assert.Equal("invalid_grant", ex.ServerError);
            Assert.Equal(400, ex.StatusCode);
            Assert.Contains("invalid_grant", ex.Message);
            Assert.Contains("The authorization code has expired", ex.Message);
        }

        [Theory]
        [InlineData(401, "{\"error\":\"invalid_client\",\"error_description\":\"Client authentication failed\"}")]
        [InlineData(400, "{\"error\":\"invalid_client\"}")]
        [InlineData(401, "")]
        public void ReportsABadClient(int status, string body)
        {
            Assert.Equal(ErrorIds.InvalidClient, Fails(status, body).ErrorId);
        }

        [Theory]
        [InlineData(499, ErrorIds.IpBlocked)]
        [InlineData(429, ErrorIds.RateLimited)]
        [InlineData(500, ErrorIds.ServiceUnavailable)]
        [InlineData(502, ErrorIds.ServiceUnavailable)]
        [InlineData(503, ErrorIds.ServiceUnavailable)]
        [InlineData(302, ErrorIds.InvalidServerResponse)]
        public void MapsStatuses(int status, string errorId)
        {
            Assert.Equal(errorId, Fails(status, "{\"error\":{\"code\":" + status + ",\"message\":\"nope\"}}").ErrorId);
        }

        [Fact]
        public void ReportsTheApiErrorShapeAndPlainText()
        {
            var shaped = Fails(417, "{\"error\":{\"code\":417,\"message\":\"Expectation Failed: bad thing\"}}");
            Assert.Equal(ErrorIds.GrantFailed, shaped.ErrorId);
            Assert.Contains("Expectation Failed: bad thing", shaped.Message);

            var plain = Fails(400, "Bad request, sorry", "text/plain");
            Assert.Equal(ErrorIds.GrantFailed, plain.ErrorId);
            Assert.Contains("Bad request, sorry", plain.Message);

            Assert.Equal(ErrorIds.InvalidServerResponse, Fails(404, "<html><title>Not Found</title></html>", "text/html").ErrorId);
        }

        [Fact]
        public void ScrubsSecretsEchoedByTheServer()
        {
            var ex = Fails(400, "{\"error\":\"invalid_grant\",\"error_description\":\"code S.19__0123456789abcdef0123456789abcdef01234567 with my-client-secret\"}");
            Assert.DoesNotContain("0123456789abcdef", ex.Message);
            Assert.DoesNotContain("my-client-secret", ex.Message);
        }

        [Fact]
        public void ScrubsAKnownSecretStraddlingTheCutOfAnHtmlTitle()
        {
            var secret = "my-client-secret";
            var page = "<html><title>" + new string('t', 295) + secret + "</title></html>";
            var ex = Fails(502, page, "text/html");
            Assert.DoesNotContain("my-cl", ex.Message);
            Assert.Contains("***", ex.Message);
        }

        [Fact]
        public void StripsControlCharactersFromServerText()
        {
            var ex = Fails(400, "{\"error\":\"invalid_grant\",\"error_description\":\"bad\\r\\nWARNING: forged \\u001b[2Jclear\"}");
            Assert.DoesNotContain("\r", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("\n", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("\u001b", ex.Message, StringComparison.Ordinal);
            Assert.Contains("bad WARNING: forged [2Jclear", ex.Message);
        }

        [Fact]
        public void KeepsLongErrorTextShort()
        {
            var ex = Fails(400, new string('x', 100_000), "text/plain");
            Assert.True(ex.Message.Length < 600, ex.Message.Length.ToString());
        }
    }

    public class ServerErrorTests
    {
        [Theory]
        [InlineData("{\"error\":\"invalid_grant\",\"error_description\":\"expired\"}", "invalid_grant", "expired")]
        [InlineData("{\"error\":{\"code\":417,\"message\":\"Expectation Failed: x\"}}", "417", "Expectation Failed: x")]
        [InlineData("  Unauthorized  ", null, "Unauthorized")]
        [InlineData("{not json", null, "{not json")]
        [InlineData("", null, null)]
        public void ReadsEveryShape(string body, string code, string message)
        {
            var error = ServerError.Parse(body);
            Assert.Equal(code, error.Code);
            Assert.Equal(message, error.Message);
        }
    }
}
