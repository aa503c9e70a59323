using System;
using System.Net.Http;
using System.Security.Authentication;
using Xunit;
using TSheets.Auth.Platform;

namespace TSheets.Auth.Tests
{
    public class TlsPolicyTests
    {
        private const SslProtocols Both = SslProtocols.Tls12 | SslProtocols.Tls13;

        private static OperatingSystem Windows(int build) => new OperatingSystem(PlatformID.Win32NT, new Version(10, 0, build, 0));

        [Theory]
        [InlineData(".NET 10.0.0", PlatformID.Unix)]
        [InlineData(".NET 8.0.11", PlatformID.Win32NT)]
        [InlineData(".NET Core 3.1.32", PlatformID.Win32NT)]
        [InlineData(null, PlatformID.Unix)]
        public void ModernDotNetAsksForTls12And13OnEveryOs(string framework, PlatformID platform)
        {
            Assert.Equal(Both, TlsPolicy.Choose(framework, new OperatingSystem(platform, new Version(10, 0, 14393, 0))));
        }

        [Theory]
        [InlineData(14393, SslProtocols.Tls12)]
        [InlineData(17763, SslProtocols.Tls12)]
        [InlineData(19045, SslProtocols.Tls12)]
        [InlineData(20348, Both)]
        [InlineData(22631, Both)]
        public void DotNetFrameworkAsksForTls13OnlyWhereSchannelSpeaksIt(int build, SslProtocols expected)
        {
            Assert.Equal(expected, TlsPolicy.Choose(".NET Framework 4.8.9", Windows(build)));
            Assert.Equal(expected, TlsPolicy.Choose(".NET Framework 4.7.2", Windows(build)));
        }

        [Fact]
        public void DotNetFrameworkOffWindowsAsksForTls12Only()
        {
            Assert.Equal(SslProtocols.Tls12, TlsPolicy.Choose(".NET Framework 4.8.9", new OperatingSystem(PlatformID.Unix, new Version(6, 1, 30000, 0))));
        }

        [Fact]
        public void AppliesToTheGivenHandlerOnly()
        {
            using var handler = new HttpClientHandler();
            Assert.True(TlsPolicy.TryApply(handler, SslProtocols.Tls12));
            Assert.Equal(SslProtocols.Tls12, handler.SslProtocols);
            using var other = new HttpClientHandler();
            Assert.Equal(SslProtocols.None, other.SslProtocols);
        }
    }
}
