using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using TSheets.Auth.Common;
using TSheets.Auth.OAuth;
using TSheets.Auth.Operations;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Tests
{
    /// <summary>
    /// The redactor at the boundary: the exact secrets in play masked from every error and report,
    /// whatever their shape, and the module's own sentences left whole (no shapes applied there).
    /// </summary>
    public sealed class BoundaryRedactionTests : IDisposable
    {
        private const string OddSecret = "plain-web-ui-secret-hunter2";
        private readonly TempFolder locks = new TempFolder();
        private readonly RecordingReporter report = new RecordingReporter();

        public void Dispose() => locks.Dispose();

        private TSheetsOperations Operations(FakeHandler server, Func<string, string> environment = null) => CoreSetup.Build(new CoreSettings
        {
            Environment = environment ?? (_ => null),
            Clock = new FakeClock(Samples.Start),
            DataFolder = locks.Path,
            Vault = new MemoryVault(),
            PrimaryHandler = server,
        });

        [Fact]
        public void MasksTheSecretsInPlayWhateverTheirShapeButNoShapeOfItsOwn()
        {
            var redactor = new Redactor(() => new[] { OddSecret, null, "abc" });
            Assert.Equal("echo *** and abc", redactor.Scrub("echo " + OddSecret + " and abc"));
            Assert.Equal("Basic in an HTTP Basic header; code=42", redactor.Scrub("Basic in an HTTP Basic header; code=42"));
            Assert.Equal("Basic *** an HTTP Basic ***; code=***", Redactor.ScrubOutside("Basic in an HTTP Basic header; code=42"));
        }

        [Fact]
        public void ScrubsAnErrorAndItsCausesKeepingWhatItIs()
        {
            var cause = new TSheetsAuthException(ErrorIds.GrantFailed, "the server said " + OddSecret, "default") { StatusCode = 400, ServerError = "invalid_grant" };
            var error = new TSheetsAuthException(ErrorIds.RefreshFailed, "could not refresh: " + cause.Message, "default", cause) { StatusCode = 400, ServerError = "invalid_grant" };
            var clean = new Redactor(() => new[] { OddSecret }).Scrub(error);
            Assert.Equal("could not refresh: the server said ***", clean.Message);
            Assert.Equal((ErrorIds.RefreshFailed, "default", 400, "invalid_grant"), (clean.ErrorId, clean.Target, clean.StatusCode, clean.ServerError));
            var scrubbedCause = Assert.IsType<TSheetsAuthException>(clean.InnerException);
            Assert.Equal("the server said ***", scrubbedCause.Message);
            Assert.Equal(ErrorIds.GrantFailed, scrubbedCause.ErrorId);
        }

        [Fact]
        public void LeavesAnErrorWithNothingToMaskAsItIs()
        {
            var error = new TSheetsAuthException(ErrorIds.TokenNotFound, "There is no connection.", "default");
            Assert.Same(error, new Redactor(() => new[] { OddSecret }).Scrub(error));
        }

        [Fact]
        public async Task TheInvalidClientMessageReadsWhole()
        {
            var server = FakeHandler.Json(HttpStatusCode.Unauthorized, "{\"error\":\"invalid_client\",\"error_description\":\"The client credentials are invalid\"}");
            var options = new SignInOptions { ClientId = "client-id", ClientSecret = SecureStrings.FromPlainText("client-secret"), RedirectUri = new Uri("https://app.example/cb"), AuthorizationCode = "S.19__code" };
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Operations(server).SignInAsync(options, report, null, CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidClient, ex.ErrorId);
            Assert.Contains("-ClientAuthentication (Post sends them in the form body, Basic in an HTTP Basic header; the server may accept only one)", ex.Message, StringComparison.Ordinal);
            Assert.Contains("invalid_client: The client credentials are invalid", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task MasksASecretTheSignInWasGivenWhenTheServerEchoesIt()
        {
            var server = FakeHandler.Json(HttpStatusCode.BadRequest, "{\"error\":\"invalid_grant\",\"error_description\":\"bad code for secret " + OddSecret + "\"}");
            var options = new SignInOptions { ClientId = "client-id", ClientSecret = SecureStrings.FromPlainText(OddSecret), RedirectUri = new Uri("https://app.example/cb"), AuthorizationCode = "S.19__code" };
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => Operations(server).SignInAsync(options, report, null, CancellationToken.None));
            Assert.Equal(ErrorIds.GrantFailed, ex.ErrorId);
            Assert.DoesNotContain(OddSecret, ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task MasksTheCiTokenFromAnApiErrorAndFromTheReportsTheCmdletsWrite()
        {
            var server = FakeHandler.Json((HttpStatusCode)417, "{\"error\":{\"code\":417,\"message\":\"you sent " + OddSecret + "\"}}");
            var operations = Operations(server, name => name == EnvironmentToken.TokenVariable ? OddSecret : null);
            var ex = await Assert.ThrowsAsync<TSheetsAuthException>(() => operations.InvokeAsync(new ApiCallOptions { Path = "users", MaximumRetryCount = 0 }, report, CancellationToken.None));
            Assert.Equal(ErrorIds.ApiError, ex.ErrorId);
            Assert.DoesNotContain(OddSecret, ex.Message, StringComparison.Ordinal);
            Assert.Equal("the token *** was used", operations.Scrub("the token " + OddSecret + " was used"));
            Assert.Contains(report.Verbose, line => line.Contains("TSHEETS_ACCESS_TOKEN", StringComparison.Ordinal));
        }
    }
}
