using System;
using System.Linq;
using Xunit;
using TSheets.Auth.Common;

namespace TSheets.Auth.Tests
{
    /// <summary>Known secrets of any shape masked before text is clipped; control and format characters never shown.</summary>
    public class RedactorAndTextTests
    {
        [Theory]
        [InlineData("web-ui token hunter2-Pa55")]
        [InlineData("a.b+c/d=")]
        [InlineData("(regex)[chars]*?{2}$^|\\")]
        [InlineData("ünïcødé-sécrèt")]
        [InlineData("tiny")]
        public void MasksAKnownSecretWhateverItsShape(string secret)
        {
            var text = $"The server said: '{secret}' is not valid; again: {secret}.";
            var scrubbed = Redactor.ScrubOutside(text, new[] { secret });
            Assert.DoesNotContain(secret, scrubbed, StringComparison.Ordinal);
            Assert.Equal("The server said: '***' is not valid; again: ***.", scrubbed);
        }

        [Fact]
        public void ValuesTooShortToBeSecretsStayReadable()
        {
            Assert.Equal("the cat sat", Redactor.ScrubOutside("the cat sat", new[] { "cat", null, string.Empty }));
        }

        [Theory]
        [InlineData("abcd1234,abcd1234efgh5678")]
        [InlineData("abcd1234efgh5678,abcd1234")]
        [InlineData("efgh5678,abcd1234efgh5678,abcd1234")]
        public void MasksTheLongestSecretFirstSoNoPartOfItIsLeft(string secrets)
        {
            var scrubbed = Redactor.ScrubOutside("value=[abcd1234efgh5678] and [abcd1234]", secrets.Split(','));
            Assert.Equal("value=[***] and [***]", scrubbed);
        }

        [Theory]
        [InlineData(5)]
        [InlineData(12)]
        [InlineData(20)]
        [InlineData(30)]
        public void ASecretStraddlingTheClipLeaksNothing(int max)
        {
            const string Secret = "correct-horse-battery-staple";
            var shown = Text.FromServer("error: " + Secret + " was refused", max, new[] { Secret });
            Assert.True(shown.Length <= max + 3, shown);
            for (var length = 4; length <= Secret.Length; length++)
            {
                Assert.False(shown.Contains(Secret.Substring(0, length), StringComparison.Ordinal), $"max {max}: '{shown}' shows the first {length} characters of the secret");
            }
        }

        [Fact]
        public void ClipsWithAnEllipsisOnlyWhenCut()
        {
            Assert.Equal("abc...", Text.Clip("abcdef", 3));
            Assert.Equal("abcdef", Text.Clip("abcdef", 6));
            Assert.Null(Text.Clip(null, 3));
        }

        [Theory]
        [InlineData("\u001b[31mred\u001b[0m", "[31mred[0m")]
        [InlineData("ring\u0007bell", "ringbell")]
        [InlineData("\u001b]52;c;aGVsbG8=\u0007copied", "]52;c;aGVsbG8=copied")]
        [InlineData("line1\r\nline2\rline3\nline4", "line1 line2 line3 line4")]
        [InlineData("c1\u009b2Jcsi", "c12Jcsi")]
        [InlineData("bidi \u202Eevil\u202C text", "bidi evil text")]
        [InlineData("zero\u200Bwidth\uFEFF", "zerowidth")]
        [InlineData("nul\u0000del\u007f", "nuldel")]
        [InlineData("  spaced \t out  ", "spaced out")]
        public void ServerTextLosesControlAndFormatCharacters(string text, string expected)
        {
            var shown = Text.FromServer(text, 300);
            Assert.Equal(expected, shown);
            Assert.DoesNotContain(shown, c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData("\u001b\u0007")]
        public void NothingToShowIsNull(string text)
        {
            Assert.Null(Text.FromServer(text, 300));
            Assert.Null(Text.OneLine(text));
        }

        [Fact]
        public void StripControlsKeepsOrdinaryText()
        {
            Assert.Equal("Grüße, 世界 ✓", Text.StripControls("Grüße, 世界 ✓"));
            Assert.Equal(string.Empty, Text.StripControls(string.Empty));
            Assert.Null(Text.StripControls(null));
        }

        [Fact]
        public void FromServerScrubsTheGivenSecretsAndTheShapes()
        {
            var shown = Text.FromServer("bad refresh_token=fedcba98 for " + Samples.AccessToken + " and my-own-secret-x\r\n", 300, new[] { "my-own-secret-x" });
            Assert.Equal("bad refresh_token=*** for *** and ***", shown);
        }

        /// <summary>
        /// A server that echoes a secret with a zero-width or control character inside it: the
        /// scrub runs before the characters are stripped, so the stripped text shows the whole secret.
        /// </summary>
        [Theory]
        [InlineData("\u200B")]
        [InlineData("\u001b")]
        [InlineData("\u0007")]
        [InlineData("\u202E")]
        public void ASecretSplitByAnInvisibleCharacterIsStillMasked(string invisible)
        {
            const string Secret = "correct-horse-battery-staple";
            var echoed = "unknown token correct-horse-" + invisible + "battery-staple";
            var shown = Text.FromServer(echoed, 300, new[] { Secret });
            Assert.DoesNotContain(Secret, shown, StringComparison.Ordinal);
        }
    }
}
