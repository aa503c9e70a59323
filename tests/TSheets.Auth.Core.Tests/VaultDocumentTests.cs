using System;
using System.Linq;
using Xunit;
using TSheets.Auth.Common;
using TSheets.Auth.OAuth;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Tests
{
    public class VaultDocumentTests
    {
        private static Connection Sample(ClientAuthentication method) =>
            Samples.Connection("acme", Samples.Start, TimeSpan.FromDays(10), vault: "Ops") with { UserId = "12345", CompanyId = "67890", ClientUrl = "acmeco", ClientAuthentication = method };

        [Fact]
        public void RoundTripsEveryFieldInASmallVersionOneDocument()
        {
            var connection = Sample(ClientAuthentication.Post);
            var secret = VaultDocument.Serialize(connection);
            Assert.True(secret.Length < 2048);
            Assert.Contains("\"version\":1,", Samples.Plain(secret));
            Assert.DoesNotContain("client_authentication", Samples.Plain(secret));

            var back = VaultDocument.Parse(secret, "acme", "Ops");
            Assert.True(back.HasSameTokens(connection));
            Assert.Equal("client-secret", Samples.Plain(back.ClientSecret));
            Assert.Equal(Samples.Start, back.IssuedOn);
            Assert.Equal(Samples.Start.AddDays(10), back.ExpiresOn);
            Assert.Equal(("client-id", "12345", "67890", "acmeco", "Ops"), (back.ClientId, back.UserId, back.CompanyId, back.ClientUrl, back.Vault));
            Assert.Equal(ClientAuthentication.Post, back.ClientAuthentication);
            Assert.Equal(connection.BaseUri, back.BaseUri);
        }

        [Fact]
        public void WritesVersionTwoOnlyForWhatVersionOneCannotSay()
        {
            var secret = VaultDocument.Serialize(Sample(ClientAuthentication.Basic));
            Assert.Contains("\"version\":2,", Samples.Plain(secret));
            Assert.Equal(ClientAuthentication.Basic, VaultDocument.Parse(secret, "acme", "Ops").ClientAuthentication);
        }

        [Fact]
        public void ReadsADocumentAnOlderModuleWrote()
        {
            var old = "{\"version\":1,\"access_token\":\"S.7__old\",\"refresh_token\":\"abc123\",\"client_id\":\"c\",\"client_secret\":\"s\",\"base_uri\":\"https://rest.tsheets.com/api/v1\"}";
            var back = VaultDocument.Parse(SecureStrings.FromPlainText(old), "acme", "Ops");
            Assert.Equal(ClientAuthentication.Post, back.ClientAuthentication);
            Assert.True(back.CanRefresh);
        }

        [Theory]
        [InlineData("not json")]
        [InlineData("[]")]
        [InlineData("{\"access_token\":\"x\"}")]
        [InlineData("{\"version\":1}")]
        [InlineData("{\"version\":1,\"access_token\":\"x\",\"base_uri\":\"http://example.com/api\"}")]
        [InlineData("{\"version\":1,\"access_token\":\"x\",\"base_uri\":\"https://x.example/api\",\"expires_on\":\"soon\"}")]
        [InlineData("{\"version\":1,\"access_token\":\"has space\",\"base_uri\":\"https://x.example/api\"}")]
        [InlineData("{\"version\":2,\"access_token\":\"x\",\"client_authentication\":\"7\",\"base_uri\":\"https://x.example/api\"}")]
        [InlineData("{\"version\":-5,\"access_token\":\"x\",\"base_uri\":\"https://x.example/api\"}")]
        [InlineData("{\"version\":0,\"access_token\":\"x\",\"base_uri\":\"https://x.example/api\"}")]
        public void ReportsACorruptDocument(string text)
        {
            var ex = Assert.Throws<TSheetsAuthException>(() => VaultDocument.Parse(SecureStrings.FromPlainText(text), "acme", "Ops"));
            Assert.Equal(ErrorIds.VaultError, ex.ErrorId);
            Assert.Contains("corrupt", ex.Message);
            Assert.False(VaultDocument.IsFromNewerModule(SecureStrings.FromPlainText(text)));
        }

        [Fact]
        public void ReportsADocumentFromANewerModule()
        {
            var newer = SecureStrings.FromPlainText("{\"version\":3,\"access_token\":\"x\"}");
            var ex = Assert.Throws<TSheetsAuthException>(() => VaultDocument.Parse(newer, "acme", "Ops"));
            Assert.Contains("newer version", ex.Message);
            Assert.True(VaultDocument.IsFromNewerModule(newer));
        }

        [Fact]
        public void ReportsASecretTooLargeToBeAConnectionAsVaultErrorThatANewConnectionMayReplace()
        {
            var ex = Assert.Throws<TSheetsAuthException>(() => VaultSecretText.ToSecret(new string('x', 65537), "Ops", "TSheets.Auth.acme"));
            Assert.Equal(ErrorIds.VaultError, ex.ErrorId);
            Assert.True(ex.NotAConnection);
            Assert.Contains("'TSheets.Auth.acme' in vault 'Ops' is too large to be a TSheets.Auth connection (65537 characters)", ex.Message);
            Assert.Equal(65536, VaultSecretText.ToSecret(new string('x', 65536), "Ops", "TSheets.Auth.acme").Length);
        }

        [Theory]
        [InlineData(null, 30, true)]
        [InlineData("", 30, true)]
        [InlineData("45", 45, true)]
        [InlineData(" 300 ", 300, true)]
        [InlineData("junk", 30, false)]
        [InlineData("0", 30, false)]
        [InlineData("301", 30, false)]
        [InlineData("2.5", 30, false)]
        public void ReadsTheGrantTimeoutAndTellsJunkApart(string text, int seconds, bool valid)
        {
            Assert.Equal(TimeSpan.FromSeconds(seconds), GrantTimeout.Parse(text, out var isValid));
            Assert.Equal(valid, isValid);
        }

        [Fact]
        public void WarnsAboutEachJunkGrantTimeoutOnce()
        {
            var value = "junk";
            var timeout = new GrantTimeout(() => value);
            var report = new RecordingReporter();
            timeout.WarnIfInvalid(report);
            timeout.WarnIfInvalid(report);
            value = "45";
            timeout.WarnIfInvalid(report);
            value = "0";
            timeout.WarnIfInvalid(report);
            Assert.Equal(2, report.Warnings.Count);
            Assert.Contains("'junk' is not, so the default (30 seconds) is used.", report.Warnings.First());
        }
    }
}
