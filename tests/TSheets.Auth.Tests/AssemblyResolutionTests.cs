using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Xunit;

namespace TSheets.Auth.Commands.Tests
{
    public sealed class AssemblyResolutionTests : IDisposable
    {
        private const string MicrosoftToken = "cc7b13ffcd2ddd51";
        private const string OtherToken = "b03f5f7f11d50a3a";
        private readonly TempFolder folder = new TempFolder();

        public void Dispose() => folder.Dispose();

        private static AssemblyName Name(string name, string version, string token = MicrosoftToken) =>
            new AssemblyName($"{name}, Version={version}, Culture=neutral, PublicKeyToken={token ?? "null"}");

        private static ShippedAssembly Shipped(string name, string version, string token = MicrosoftToken) =>
            new ShippedAssembly("/module/" + name + ".dll", Name(name, version, token));

        private static readonly ShippedAssembly[] Folder =
        {
            Shipped("System.Buffers", "4.0.3.0"),
            Shipped("System.Memory", "4.0.1.2"),
            Shipped("System.Text.Json", "8.0.0.5"),
        };

        private static readonly Assembly[] NothingLoaded = Array.Empty<Assembly>();

        [Theory]
        [InlineData("4.0.2.0")]
        [InlineData("4.0.3.0")]
        [InlineData("1.0.0.0")]
        public void AnOwnDependencyAskedForAtTheShippedVersionOrLowerIsTheShippedFile(string requested)
        {
            var (loaded, file) = AssemblyResolution.Decide(Name("System.Buffers", requested), Folder, NothingLoaded);
            Assert.Null(loaded);
            Assert.Equal("/module/System.Buffers.dll", file);
        }

        [Fact]
        public void NamesCompareWithoutCaseAndARequestWithoutVersionOrTokenIsOurs()
        {
            Assert.Equal("/module/System.Buffers.dll", AssemblyResolution.Decide(Name("system.buffers", "4.0.2.0"), Folder, NothingLoaded).File);
            Assert.Equal("/module/System.Buffers.dll", AssemblyResolution.Decide(new AssemblyName("System.Buffers"), Folder, NothingLoaded).File);
        }

        [Theory]
        [InlineData("4.0.3.1")]
        [InlineData("4.0.4.0")]
        [InlineData("5.0.0.0")]
        public void AHigherVersionThanShippedIsNotOurs(string requested)
        {
            var (loaded, file) = AssemblyResolution.Decide(Name("System.Buffers", requested), Folder, NothingLoaded);
            Assert.Null(loaded);
            Assert.Null(file);
        }

        [Fact]
        public void AnAlreadyLoadedCopyOfTheSameLibraryAtAHigherVersionWins()
        {
            var lower = new NamedAssembly(Name("System.Buffers", "4.0.2.0"));
            var higher = new NamedAssembly(Name("System.Buffers", "4.0.5.0"));
            var highest = new NamedAssembly(Name("System.Buffers", "4.0.6.0"));
            var (loaded, file) = AssemblyResolution.Decide(Name("System.Buffers", "4.0.3.0"), Folder, new Assembly[] { lower, higher, highest });
            Assert.Same(highest, loaded);
            Assert.Null(file);
        }

        [Fact]
        public void ARealLoadedAssemblyIsFoundByItsName()
        {
            var json = typeof(System.Text.Json.JsonSerializer).Assembly;
            var version = json.GetName().Version;
            var (loaded, file) = AssemblyResolution.Decide(Name("System.Text.Json", "8.0.0.0"), Folder, AppDomain.CurrentDomain.GetAssemblies());
            Assert.True(version >= new Version(8, 0), version.ToString());
            Assert.Same(json, loaded);
            Assert.Null(file);
        }

        [Fact]
        public void ALoadedCopyBelowTheRequestOrOfAnotherPublisherIsPassedOver()
        {
            var old = new NamedAssembly(Name("System.Buffers", "4.0.1.0"));
            var impostor = new NamedAssembly(Name("System.Buffers", "9.0.0.0", OtherToken));
            var unsigned = new NamedAssembly(Name("System.Buffers", "9.0.0.0", null));
            var broken = new NamedAssembly(null);
            var (loaded, file) = AssemblyResolution.Decide(Name("System.Buffers", "4.0.2.0"), Folder, new Assembly[] { old, impostor, unsigned, broken });
            Assert.Null(loaded);
            Assert.Equal("/module/System.Buffers.dll", file);
        }

        [Fact]
        public void ARequestWithAnotherPublicKeyTokenIsNotOurs()
        {
            var loaded = new NamedAssembly(Name("System.Buffers", "4.0.5.0"));
            var decision = AssemblyResolution.Decide(Name("System.Buffers", "4.0.2.0", OtherToken), Folder, new Assembly[] { loaded });
            Assert.Equal((null, null), decision);
        }

        [Fact]
        public void AShippedFileOfAnotherPublisherAnswersNothing()
        {
            var folder = new[] { Shipped("System.Buffers", "4.0.3.0", OtherToken) };
            Assert.Equal((null, null), AssemblyResolution.Decide(Name("System.Buffers", "4.0.2.0"), folder, NothingLoaded));
        }

        [Theory]
        [InlineData("System.Runtime", "4.0.0.0")]
        [InlineData("System.Management.Automation", "3.0.0.0")]
        [InlineData("System.Buffers.Extra", "4.0.3.0")]
        public void AnAssemblyNotShippedIsLeftToTheRuntimeEvenWhenLoaded(string name, string version)
        {
            var alreadyThere = new NamedAssembly(Name(name, "99.0.0.0"));
            Assert.Equal((null, null), AssemblyResolution.Decide(Name(name, version), Folder, new Assembly[] { alreadyThere }));
        }

        /// <summary>The shipped set read from real DLLs, the way the module reads its folder.</summary>
        [Fact]
        public void DecidesFromRealDllsAndLeavesTheModulesOwnOut()
        {
            var bin = Path.GetDirectoryName(typeof(AssemblyResolutionTests).Assembly.Location);
            foreach (var dll in new[] { "TSheets.Auth.Core.dll", "xunit.abstractions.dll", "xunit.assert.dll" })
            {
                File.Copy(Path.Combine(bin, dll), Path.Combine(folder.Path, dll));
            }

            var shipped = ShippedAssembly.InFolder(folder.Path, "TSheets.Auth", "TSheets.Auth.Core");
            Assert.Equal(new[] { "xunit.abstractions", "xunit.assert" }, shipped.Select(s => s.Name.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray());

            var abstractions = shipped.Single(s => s.Name.Name == "xunit.abstractions");
            var token = string.Concat(abstractions.Name.GetPublicKeyToken().Select(b => b.ToString("x2")));
            Assert.Equal("8d05b1bb7a6fdb6c", token);
            var lowerRequest = Name("xunit.abstractions", "1.0.0.0", token);
            Assert.Equal(Path.Combine(folder.Path, "xunit.abstractions.dll"), AssemblyResolution.Decide(lowerRequest, shipped, NothingLoaded).File);

            var above = abstractions.Name.Version;
            var higherRequest = Name("xunit.abstractions", new Version(above.Major, above.Minor, above.Build, above.Revision + 1).ToString(), token);
            Assert.Equal((null, null), AssemblyResolution.Decide(higherRequest, shipped, NothingLoaded));
            Assert.Equal((null, null), AssemblyResolution.Decide(Name("TSheets.Auth.Core", "0.1.0.0", null), shipped, NothingLoaded));
        }

        /// <summary>An assembly that is only a name (or whose name cannot be read, when null).</summary>
        private sealed class NamedAssembly : Assembly
        {
            private readonly AssemblyName name;

            public NamedAssembly(AssemblyName name) => this.name = name;

            public override string FullName => name?.FullName;

            public override AssemblyName GetName() => name ?? throw new NotSupportedException("a dynamic assembly");

            public override AssemblyName GetName(bool copiedName) => GetName();
        }
    }
}
