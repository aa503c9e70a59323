using System.Linq;
using Xunit;
using TSheets.Auth.Common;
using TSheets.Auth.Tokens;

namespace TSheets.Auth.Tests
{
    public class AssemblyTests
    {
        /// <summary>Core stays free of PowerShell (so it is testable alone) and of anything beyond System.Text.Json.</summary>
        [Fact]
        public void CoreReferencesOnlyTheBaseLibraryAndSystemTextJson()
        {
            var references = typeof(TokenRefresher).Assembly.GetReferencedAssemblies().Select(a => a.Name).OrderBy(n => n).ToArray();
            Assert.Equal(new[] { "netstandard", "System.Text.Json" }, references);
        }
    }
}
