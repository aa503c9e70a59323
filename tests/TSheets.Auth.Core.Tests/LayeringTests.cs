using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace TSheets.Auth.Tests
{
    /// <summary>
    /// Core's folders are its namespaces, and they depend one way, read from the source: each file's
    /// namespace is its folder's, and it names (by a using or a qualified name) only its own folder
    /// and the folders below it. The four public types at the root and Common are the base: they
    /// name nothing above Common.
    /// </summary>
    public class LayeringTests
    {
        /// <summary>Lowest first; the root (the public types) shares Common's place.</summary>
        internal static readonly string[] Order = { "Common", "Reporting", "Platform", "Http", "OAuth", "Storage", "Tokens", "Api", "Interactive", "Operations" };

        private static readonly Regex Named = new Regex(@"\busing\s+TSheets\.Auth\.(\w+)\s*;|\bTSheets\.Auth\.(\w+)\.", RegexOptions.CultureInvariant);
        private static readonly Regex Declared = new Regex(@"^namespace\s+([\w.]+)", RegexOptions.Multiline | RegexOptions.CultureInvariant);

        public static IEnumerable<object[]> SourceFiles() =>
            Directory.EnumerateFiles(CoreFolder(), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .Select(f => new object[] { Path.GetRelativePath(CoreFolder(), f).Replace('\\', '/') });

        [Theory]
        [MemberData(nameof(SourceFiles))]
        public void EachFileLivesInItsFoldersNamespaceAndNamesOnlyLowerFolders(string file)
        {
            var folder = file.Contains('/', StringComparison.Ordinal) ? file.Substring(0, file.IndexOf('/', StringComparison.Ordinal)) : null;
            var text = WithoutComments(File.ReadAllText(Path.Combine(CoreFolder(), file)));
            var declared = Declared.Match(text).Groups[1].Value;
            if (file == "Common/IsExternalInit.cs")
            {
                // The compiler looks for this one in System.Runtime.CompilerServices.
                Assert.Equal("System.Runtime.CompilerServices", declared);
                return;
            }

            Assert.Equal(folder == null ? "TSheets.Auth" : "TSheets.Auth." + folder, declared);
            Assert.True(folder == null || Order.Contains(folder), $"{file}: the folder '{folder}' has no place in the order; add it to LayeringTests.Order.");
            var rank = folder == null ? 0 : Array.IndexOf(Order, folder);
            var named = Named.Matches(Declared.Replace(text, string.Empty))
                .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)
                .Where(n => n != "Commands" && n != folder)
                .Distinct()
                .ToList();
            foreach (var other in named)
            {
                var otherRank = Array.IndexOf(Order, other);
                Assert.True(otherRank >= 0, $"{file} names TSheets.Auth.{other}, which is no folder of Core.");
                Assert.True(otherRank < rank || (folder == null && other == "Common"), $"{file} ({folder ?? "the root"}) names {other}, which is not below it: folders depend one way ({string.Join(" <- ", Order)}).");
            }
        }

        [Fact]
        public void EveryFolderIsInTheOrder()
        {
            var folders = Directory.EnumerateDirectories(CoreFolder()).Select(Path.GetFileName).Where(f => f != "obj" && f != "bin").OrderBy(f => f, StringComparer.Ordinal);
            Assert.Equal(Order.OrderBy(f => f, StringComparer.Ordinal), folders);
        }

        private static string WithoutComments(string text) =>
            Regex.Replace(Regex.Replace(text, @"/\*.*?\*/", string.Empty, RegexOptions.Singleline), @"//[^\n]*", string.Empty);

        private static string CoreFolder()
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder != null; folder = folder.Parent)
            {
                var core = Path.Combine(folder.FullName, "src", "TSheets.Auth.Core");
                if (Directory.Exists(core))
                {
                    return core;
                }
            }

            throw new InvalidOperationException("The tests run from inside the repository: no src/TSheets.Auth.Core above " + AppContext.BaseDirectory);
        }
    }
}
