using System;
using System.Collections.Generic;
using Xunit;
using TSheets.Auth.Common;
using TSheets.Auth.OAuth;

namespace TSheets.Auth.Tests
{
    public class PercentEncodingTests
    {
        [Fact]
        public void EncodesFormsAndDecodesThemBack()
        {
            var fields = new[]
            {
                new KeyValuePair<string, string>("grant_type", "authorization_code"),
                new KeyValuePair<string, string>("redirect_uri", "https://x.example/cb?a=1&b=2"),
                new KeyValuePair<string, string>("odd", "ä + ü/=&"),
            };
            var form = PercentEncoding.EncodeForm(fields);
            Assert.Equal("grant_type=authorization_code&redirect_uri=https%3A%2F%2Fx.example%2Fcb%3Fa%3D1%26b%3D2&odd=%C3%A4%20%2B%20%C3%BC%2F%3D%26", form);
            Assert.Equal(fields, PercentEncoding.ParseQuery(form));
        }

        [Fact]
        public void DecodesPlusAsSpaceAndKeepsMalformedEscapes()
        {
            Assert.Equal("a b%zz%4", PercentEncoding.Decode("a+b%zz%4"));
        }
    }

    public class AuthorizationResponseTests
    {
        private static readonly Uri Redirect = new Uri("https://app.example/callback");

        private static AuthorizationResponse Parse(string url) => AuthorizationResponse.FromRedirectedUrl(new Uri(url), Redirect);

        [Fact]
        public void ReturnsTheCodeWhenStateMatches()
        {
            var code = Parse("https://app.example/callback?code=S.19__abc&state=xyz").GetCheckedCode("xyz", "default");
            Assert.Equal("S.19__abc", code);
        }

        [Theory]
        [InlineData("https://app.example/callback?code=c&state=other")]
        [InlineData("https://app.example/callback?code=c")]
        [InlineData("https://app.example/callback?code=c&state=xyz&state=xyz")]
        [InlineData("https://app.example/callback?code=c&state=xyz&state=evil")]
        [InlineData("https://app.example/callback?code=c&state=XYZ")]
        [InlineData("https://app.example/callback?error=access_denied&state=evil")]
        public void RejectsAWrongMissingOrDoubledState(string url)
        {
            var ex = Assert.Throws<TSheetsAuthException>(() => Parse(url).GetCheckedCode("xyz", "default"));
            Assert.Equal(ErrorIds.StateMismatch, ex.ErrorId);
            Assert.DoesNotContain("c&", ex.Message);
        }

        [Theory]
        [InlineData("https://app.example/callback?error=access_denied&error_description=The+user+denied+access&state=xyz")]
        [InlineData("https://app.example/callback?error=access_denied&error_description=The+user+denied+access")]
        public void ReportsAnErrorWithOrWithoutState(string url)
        {
            var ex = Assert.Throws<TSheetsAuthException>(() => Parse(url).GetCheckedCode("xyz", "default"));
            Assert.Equal(ErrorIds.AuthorizationDenied, ex.ErrorId);
            Assert.Contains("access_denied", ex.Message);
            Assert.Contains("The user denied access", ex.Message);
            Assert.Equal("access_denied", ex.ServerError);
        }

        [Fact]
        public void RejectsAnAnswerWithoutCode()
        {
            var ex = Assert.Throws<TSheetsAuthException>(() => Parse("https://app.example/callback?state=xyz").GetCheckedCode("xyz", "default"));
            Assert.Equal(ErrorIds.InvalidRedirectUri, ex.ErrorId);
        }

        [Fact]
        public void RejectsAHugeCode()
        {
            var url = "https://app.example/callback?state=xyz&code=" + new string('a', 200 * 1024);
            var ex = Assert.Throws<TSheetsAuthException>(() => Parse(url).GetCheckedCode("xyz", "default"));
            Assert.Equal(ErrorIds.InvalidRedirectUri, ex.ErrorId);
            Assert.True(ex.Message.Length < 500);
        }

        [Theory]
        [InlineData("https://evil.example/callback?code=c&state=xyz")]
        [InlineData("https://app.example/other?code=c&state=xyz")]
        [InlineData("http://app.example/callback?code=c&state=xyz")]
        [InlineData("https://app.example:444/callback?code=c&state=xyz")]
        public void RejectsAnAddressThatIsNotTheRedirectUri(string url)
        {
            var ex = Assert.Throws<TSheetsAuthException>(() => Parse(url));
            Assert.Equal(ErrorIds.InvalidRedirectUri, ex.ErrorId);
            Assert.DoesNotContain("code=", ex.Message);
        }

        [Fact]
        public void RejectsARelativeAddress()
        {
            var ex = Assert.Throws<TSheetsAuthException>(() => AuthorizationResponse.FromRedirectedUrl(new Uri("?code=c&state=xyz", UriKind.Relative), Redirect));
            Assert.Equal(ErrorIds.InvalidRedirectUri, ex.ErrorId);
            Assert.DoesNotContain("code=c", ex.Message);
        }
    }

    public class RedactorTests
    {
        [Theory]
        [InlineData("token S.7__0123456789abcdef0123456789abcdef01234567 leaked")]
        [InlineData("code=S.19__0123456789abcdef0123456789abcdef01234567&state=1")]
        [InlineData("refresh fedcba9876543210fedcba9876543210fedcba98 leaked")]
        [InlineData("Authorization: Bearer abc.def-ghi")]
        [InlineData("{\"access_token\":\"whatever-it-is\"}")]
        [InlineData("client_secret=hunter2hunter2&x=1")]
        public void MasksSecretShapes(string text)
        {
            var scrubbed = Redactor.ScrubOutside(text);
            Assert.Contains(Redactor.Mask, scrubbed);
            Assert.DoesNotContain("0123456789abcdef", scrubbed);
            Assert.DoesNotContain("fedcba98", scrubbed);
            Assert.DoesNotContain("abc.def-ghi", scrubbed);
            Assert.DoesNotContain("whatever-it-is", scrubbed);
            Assert.DoesNotContain("hunter2", scrubbed);
        }

        [Fact]
        public void MasksKnownValuesAndLeavesOrdinaryText()
        {
            Assert.Equal("the secret is *** ok", Redactor.ScrubOutside("the secret is my-secret-value ok", new[] { "my-secret-value" }));
            Assert.Equal("The authorization code has expired", Redactor.ScrubOutside("The authorization code has expired"));
        }
    }
}
