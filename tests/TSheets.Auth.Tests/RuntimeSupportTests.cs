using System;
using Xunit;

namespace TSheets.Auth.Commands.Tests
{
    /// <summary>
    /// The import check, decided from the version it is given: PowerShell 7.0 to 7.3 cannot bind the
    /// System.Text.Json 8 the assemblies reference, so importing there fails at once, saying what to use.
    /// </summary>
    public class RuntimeSupportTests
    {
        [Theory]
        [InlineData("7.0")]
        [InlineData("7.1")]
        [InlineData("7.2")]
        [InlineData("7.3")]
        public void RefusesPowerShellCoreBefore74SayingWhatToUse(string version)
        {
            var why = RuntimeSupport.WhyUnsupported(desktop: false, Version.Parse(version));

            Assert.NotNull(why);
            Assert.Contains("needs PowerShell 7.4 or later, or Windows PowerShell 5.1", why);
            Assert.Contains($"this is PowerShell {version}", why);
        }

        [Theory]
        [InlineData(false, "7.4")]
        [InlineData(false, "7.6")]
        [InlineData(false, "8.0")]
        [InlineData(true, "5.1")]
        public void AcceptsWindowsPowerShellAnd74AndLater(bool desktop, string version)
        {
            Assert.Null(RuntimeSupport.WhyUnsupported(desktop, Version.Parse(version)));
        }

        [Fact]
        public void ReadsThisPowerShellsVersionAsPSVersionTableHasIt()
        {
            var (desktop, version) = RuntimeSupport.Current();

            Assert.False(desktop);
            Assert.Equal(typeof(System.Management.Automation.PSObject).Assembly.GetName().Version.Major, version.Major);
            Assert.Null(RuntimeSupport.WhyUnsupported(desktop, version));
        }
    }
}
