using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;
using Xunit.Abstractions;

namespace TSheets.Auth.Commands.Tests
{
    /// <summary>
    /// Windows PowerShell 5.1 (.NET Framework 4.7.2 and later) has no binding redirects for a
    /// module: every assembly reference of every DLL the module ships must bind to a shipped DLL
    /// of that very version, to one the module's resolver (<see cref="AssemblyResolution"/>)
    /// picks, or to the framework's own. Read from the shipped module folder, without loading anything.
    /// </summary>
    public class BindingClosureTests
    {
        /// <summary>PowerShell itself (PowerShellStandard.Library compiles against 3.0.0.0; 5.1 has it in the GAC).</summary>
        private static readonly AssemblyIdentity Host = new AssemblyIdentity("System.Management.Automation", new Version(3, 0, 0, 0), "31bf3856ad364e35", "the PowerShell host");

        private readonly ITestOutputHelper output;

        public BindingClosureTests(ITestOutputHelper output) => this.output = output;

        [Fact]
        public void EveryReferenceOfEveryShippedDllBindsOnNetFramework472()
        {
            var closure = Closure.Of(ModuleBin(), Framework472());
            foreach (var line in closure.Bindings)
            {
                output.WriteLine(line.ToString());
            }

            Assert.NotEmpty(closure.Shipped);
            Assert.Contains(closure.Shipped, s => s.Name == "TSheets.Auth");
            Assert.Contains(closure.Shipped, s => s.Name == "System.Text.Json");
            Assert.True(closure.Unresolved.Count == 0, "References nothing satisfies on .NET Framework 4.7.2:\n" + string.Join("\n", closure.Unresolved));
        }

        [Fact]
        public void NetstandardBindsToTheFrameworksFacade()
        {
            var closure = Closure.Of(ModuleBin(), Framework472());
            var netstandard = closure.Bindings.Where(b => b.Reference.Name == "netstandard").ToList();
            Assert.NotEmpty(netstandard);
            Assert.DoesNotContain(closure.Shipped, s => s.Name == "netstandard");
            Assert.All(netstandard, b =>
            {
                Assert.Equal(Binding.Kind.Framework, b.How);
                Assert.Equal(Path.Combine("Facades", "netstandard.dll"), b.By.Source);
                Assert.True(b.By.Version >= b.Reference.Version, b.ToString());
            });
        }

        /// <summary>
        /// Where a shipped DLL asks for another version than the one shipped (System.Memory asking for
        /// an older System.Buffers, say), only the resolver makes it bind: the file is not the version
        /// asked for and the framework has no such assembly, and <see cref="AssemblyResolution.Decide"/>
        /// picks the shipped file.
        /// </summary>
        [Fact]
        public void WhereVersionsDifferOnlyTheResolverMakesTheClosureHold()
        {
            var closure = Closure.Of(ModuleBin(), Framework472());
            var mended = closure.Bindings.Where(b => b.How == Binding.Kind.Resolver).ToList();
            var list = mended.Count == 0 ? "(none)" : string.Join("\n", mended);
            output.WriteLine("Bound only by the resolver:\n" + list);

            Assert.All(mended, b =>
            {
                Assert.NotEqual(b.Reference.Version, b.By.Version);
                Assert.True(b.By.Version > b.Reference.Version, b.ToString());
                Assert.False(closure.FrameworkSatisfies(b.Reference), $"{b} would bind without the resolver:\n{list}");
                Assert.True(AssemblyResolution.Decide(b.Reference.ToAssemblyName(), closure.ForResolver, Array.Empty<Assembly>()).File == b.By.Path, $"{b}: the resolver would not choose it\n{list}");
            });

            // Without the resolver these references would not bind at all.
            var withoutResolver = Closure.Of(ModuleBin(), Framework472(), useResolver: false);
            Assert.Equal(
                mended.Select(b => $"{b.Reference.Source} -> {b.Reference}").OrderBy(s => s, StringComparer.Ordinal).ToArray(),
                withoutResolver.Unresolved.Select(u => u.Substring(0, u.IndexOf(": ", StringComparison.Ordinal))).OrderBy(s => s, StringComparer.Ordinal).ToArray());
        }

        /// <summary>The check can fail: a folder missing a dependency names the DLL and the reference nothing satisfies.</summary>
        [Fact]
        public void AMissingDependencyIsNamedWithTheDllThatNeedsIt()
        {
            using var folder = new TempFolder();
            foreach (var dll in Directory.GetFiles(ModuleBin(), "*.dll").Where(f => Path.GetFileName(f) != "System.Buffers.dll"))
            {
                File.Copy(dll, Path.Combine(folder.Path, Path.GetFileName(dll)));
            }

            var closure = Closure.Of(folder.Path, Framework472());
            Assert.Contains(closure.Unresolved, u => u.StartsWith("System.Memory.dll -> System.Buffers, Version=", StringComparison.Ordinal));
        }

        [Fact]
        public void AReferenceAboveTheFrameworksVersionIsUnresolved()
        {
            var framework = Framework472();
            var closure = new Closure(new List<AssemblyIdentity>(), framework, new List<ShippedAssembly>(), useResolver: true);
            var runtime = framework.Single(f => f.Name == "System.Runtime");
            Assert.True(closure.FrameworkSatisfies(new AssemblyIdentity("System.Runtime", new Version(4, 0, 0, 0), runtime.Token, "test")));
            Assert.False(closure.FrameworkSatisfies(new AssemblyIdentity("System.Runtime", new Version(runtime.Version.Major, runtime.Version.Minor + 1, 0, 0), runtime.Token, "test")));
            Assert.False(closure.FrameworkSatisfies(new AssemblyIdentity("System.Runtime", new Version(4, 0, 0, 0), "0000000000000000", "test")));
        }

        /// <summary>
        /// The module folder as it ships, which build.ps1 lays out (out/TSheets.Auth) and names in
        /// TSHEETS_AUTH_MODULE before it runs the tests: the DLLs checked are the ones shipped, not a
        /// project's bin folder that happens to sit beside these tests.
        /// </summary>
        private static string ModuleBin()
        {
            var folder = Environment.GetEnvironmentVariable("TSHEETS_AUTH_MODULE");
            Assert.False(
                string.IsNullOrEmpty(folder),
                "TSHEETS_AUTH_MODULE is not set: these tests check the module folder build.ps1 lays out. Run 'dotnet pwsh ./build.ps1 -Task Test', " +
                "or after 'build.ps1 -Task Build' set TSHEETS_AUTH_MODULE to the repository's out/TSheets.Auth.");
            Assert.True(
                File.Exists(Path.Combine(folder, "TSheets.Auth.dll")) && File.Exists(Path.Combine(folder, "TSheets.Auth.Core.dll")),
                $"TSHEETS_AUTH_MODULE ({folder}) holds no laid-out module (TSheets.Auth.dll and TSheets.Auth.Core.dll): run 'dotnet pwsh ./build.ps1 -Task Build'.");
            return folder;
        }

        /// <summary>The assemblies of .NET Framework 4.7.2, from its reference assemblies (the NuGet package).</summary>
        private static List<AssemblyIdentity> Framework472()
        {
            var package = typeof(BindingClosureTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "Net472ReferenceAssemblies")?.Value;
            Assert.False(string.IsNullOrEmpty(package), "The test project does not say where Microsoft.NETFramework.ReferenceAssemblies.net472 is (its AssemblyMetadata).");
            var root = Path.Combine(package, "build", ".NETFramework", "v4.7.2");
            Assert.True(Directory.Exists(root), $"No reference assemblies at {root}");
            var all = Directory.GetFiles(root, "*.dll").Concat(Directory.GetFiles(Path.Combine(root, "Facades"), "*.dll"))
                .Where(AssemblyIdentity.IsAssembly)
                .Select(path => AssemblyIdentity.Definition(path, Path.GetRelativePath(root, path)))
                .ToList();
            Assert.True(all.Count > 200, $"only {all.Count} framework assemblies under {root}");
            return all;
        }

        internal sealed class AssemblyIdentity
        {
            public AssemblyIdentity(string name, Version version, string token, string source, string path = null)
            {
                Name = name;
                Version = version ?? new Version(0, 0, 0, 0);
                Token = token ?? string.Empty;
                Source = source;
                Path = path;
            }

            public string Name { get; }

            public Version Version { get; }

            /// <summary>Hex, lower case; empty when not strong-named.</summary>
            public string Token { get; }

            /// <summary>Where it comes from, for messages: a file name or the referencing DLL.</summary>
            public string Source { get; }

            public string Path { get; }

            /// <summary>False for a PE file without assembly metadata (a native DLL or a module).</summary>
            public static bool IsAssembly(string path)
            {
                using var stream = File.OpenRead(path);
                using var pe = new PEReader(stream);
                return pe.HasMetadata && pe.GetMetadataReader().IsAssembly;
            }

            public static AssemblyIdentity Definition(string path, string source)
            {
                using var stream = File.OpenRead(path);
                using var pe = new PEReader(stream);
                var reader = pe.GetMetadataReader();
                var name = reader.GetAssemblyDefinition().GetAssemblyName();
                return new AssemblyIdentity(name.Name, name.Version, Hex(name.GetPublicKeyToken()), source, path);
            }

            public static List<AssemblyIdentity> References(string path)
            {
                using var stream = File.OpenRead(path);
                using var pe = new PEReader(stream);
                var reader = pe.GetMetadataReader();
                return reader.AssemblyReferences
                    .Select(handle => reader.GetAssemblyReference(handle).GetAssemblyName())
                    .Select(name => new AssemblyIdentity(name.Name, name.Version, Hex(name.GetPublicKeyToken()), System.IO.Path.GetFileName(path)))
                    .ToList();
            }

            public AssemblyName ToAssemblyName() =>
                new AssemblyName($"{Name}, Version={Version}, Culture=neutral, PublicKeyToken={(Token.Length == 0 ? "null" : Token)}");

            public override string ToString() => $"{Name}, Version={Version}, PublicKeyToken={(Token.Length == 0 ? "null" : Token)}";

            private static string Hex(byte[] bytes) => bytes == null ? string.Empty : string.Concat(bytes.Select(b => b.ToString("x2")));
        }

        internal sealed class Binding
        {
            public enum Kind
            {
                /// <summary>A shipped DLL of exactly the version asked for.</summary>
                Exact,

                /// <summary>A shipped DLL of a higher version that the module's resolver picks.</summary>
                Resolver,

                /// <summary>The framework's own assembly (unification to its version).</summary>
                Framework,

                /// <summary>PowerShell itself.</summary>
                Host,
            }

            public AssemblyIdentity From { get; set; }

            public AssemblyIdentity Reference { get; set; }

            public AssemblyIdentity By { get; set; }

            public Kind How { get; set; }

            public override string ToString() => $"{Reference.Source} -> {Reference} : {How} ({By.Source} {By.Version})";
        }

        internal sealed class Closure
        {
            private readonly List<AssemblyIdentity> framework;
            private readonly bool useResolver;

            public Closure(List<AssemblyIdentity> shipped, List<AssemblyIdentity> framework, List<ShippedAssembly> forResolver, bool useResolver)
            {
                Shipped = shipped;
                this.framework = framework;
                ForResolver = forResolver;
                this.useResolver = useResolver;
            }

            public List<AssemblyIdentity> Shipped { get; }

            /// <summary>The folder as the module's resolver sees it (its own two DLLs left out).</summary>
            public List<ShippedAssembly> ForResolver { get; }

            public List<Binding> Bindings { get; } = new List<Binding>();

            /// <summary>"DLL -> reference" for each reference nothing satisfies.</summary>
            public List<string> Unresolved { get; } = new List<string>();

            public static Closure Of(string folder, List<AssemblyIdentity> framework, bool useResolver = true)
            {
                var files = Directory.GetFiles(folder, "*.dll").OrderBy(f => f, StringComparer.Ordinal).ToList();
                var shipped = files.Select(f => AssemblyIdentity.Definition(f, Path.GetFileName(f))).ToList();
                var closure = new Closure(shipped, framework, ShippedAssembly.InFolder(folder, "TSheets.Auth", "TSheets.Auth.Core").ToList(), useResolver);
                foreach (var (file, identity) in files.Zip(shipped))
                {
                    foreach (var reference in AssemblyIdentity.References(file))
                    {
                        closure.Bind(identity, reference);
                    }
                }

                return closure;
            }

            public bool FrameworkSatisfies(AssemblyIdentity reference) => FromFramework(reference) != null;

            private AssemblyIdentity FromFramework(AssemblyIdentity reference) =>
                framework.FirstOrDefault(f => string.Equals(f.Name, reference.Name, StringComparison.OrdinalIgnoreCase)
                    && f.Token == reference.Token && reference.Token.Length > 0 && f.Version >= reference.Version);

            private void Bind(AssemblyIdentity from, AssemblyIdentity reference)
            {
                var binding = new Binding { From = from, Reference = reference };
                var same = Shipped.FirstOrDefault(s => string.Equals(s.Name, reference.Name, StringComparison.OrdinalIgnoreCase));
                if (same != null && same.Token == reference.Token && same.Version == reference.Version)
                {
                    binding.By = same;
                    binding.How = Binding.Kind.Exact;
                }
                else if (FromFramework(reference) is AssemblyIdentity own)
                {
                    binding.By = own;
                    binding.How = Binding.Kind.Framework;
                }
                else if (useResolver && same != null
                    && AssemblyResolution.Decide(reference.ToAssemblyName(), ForResolver, Array.Empty<Assembly>()).File is string file
                    && string.Equals(file, same.Path, StringComparison.Ordinal))
                {
                    binding.By = same;
                    binding.How = Binding.Kind.Resolver;
                }
                else if (string.Equals(reference.Name, Host.Name, StringComparison.Ordinal) && reference.Token == Host.Token && reference.Version <= Host.Version)
                {
                    binding.By = Host;
                    binding.How = Binding.Kind.Host;
                }
                else
                {
                    Unresolved.Add($"{reference.Source} -> {reference}" + (same == null ? ": not shipped, not in the framework" : $": ships {same.Version}, which nothing binds it to"));
                    return;
                }

                Bindings.Add(binding);
            }
        }
    }
}
