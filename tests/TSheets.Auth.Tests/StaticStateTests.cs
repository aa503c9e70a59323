using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using Xunit;

namespace TSheets.Auth.Commands.Tests
{
    /// <summary>
    /// No hidden global state in either shipped assembly: every static field is readonly (or a
    /// constant), no static property has a setter, and no source file declares a static
    /// constructor. What a process shares is made once by the composition root and kept in
    /// static readonly fields (the cmdlets' root, the assembly resolver's slot).
    /// </summary>
    public class StaticStateTests
    {
        public static IEnumerable<object[]> Assemblies() => new[]
        {
            new object[] { "TSheets.Auth.dll" },
            new object[] { "TSheets.Auth.Core.dll" },
        };

        [Theory]
        [MemberData(nameof(Assemblies))]
        public void NoStaticFieldOrPropertyCanBeSet(string file)
        {
            var path = Path.Combine(Path.GetDirectoryName(typeof(JsonConversion).Assembly.Location), file);
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            var reader = pe.GetMetadataReader();
            var found = new List<string>();
            foreach (var typeHandle in reader.TypeDefinitions)
            {
                var type = reader.GetTypeDefinition(typeHandle);
                var typeName = reader.GetString(type.Name);
                if (typeName.StartsWith("<", StringComparison.Ordinal) || IsNestedInCompilerGenerated(reader, type))
                {
                    // The compiler's own: lambda caches, fixed buffers.
                    continue;
                }

                foreach (var fieldHandle in type.GetFields())
                {
                    var field = reader.GetFieldDefinition(fieldHandle);
                    var attributes = field.Attributes;
                    if ((attributes & FieldAttributes.Static) != 0 && (attributes & (FieldAttributes.InitOnly | FieldAttributes.Literal)) == 0)
                    {
                        found.Add($"field {typeName}.{reader.GetString(field.Name)}");
                    }
                }

                foreach (var propertyHandle in type.GetProperties())
                {
                    var property = reader.GetPropertyDefinition(propertyHandle);
                    var setter = property.GetAccessors().Setter;
                    if (!setter.IsNil && (reader.GetMethodDefinition(setter).Attributes & MethodAttributes.Static) != 0)
                    {
                        found.Add($"property {typeName}.{reader.GetString(property.Name)}");
                    }
                }
            }

            Assert.True(found.Count == 0, "Settable static state in " + file + ":\n" + string.Join("\n", found));
        }

        [Fact]
        public void NoSourceFileDeclaresAStaticConstructor()
        {
            var src = Path.Combine(RepositoryRoot(), "src");
            var declaration = new Regex(@"^\s*static\s+[A-Z]\w*\s*\(\s*\)", RegexOptions.Multiline);
            var found = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .Where(f => declaration.IsMatch(File.ReadAllText(f)))
                .ToList();
            Assert.Empty(found);
        }

        internal static string RepositoryRoot()
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder != null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "TSheets.Auth.sln")))
                {
                    return folder.FullName;
                }
            }

            throw new InvalidOperationException("The tests run from inside the repository: no TSheets.Auth.sln above " + AppContext.BaseDirectory);
        }

        private static bool IsNestedInCompilerGenerated(MetadataReader reader, TypeDefinition type)
        {
            for (var outer = type.GetDeclaringType(); !outer.IsNil; outer = reader.GetTypeDefinition(outer).GetDeclaringType())
            {
                if (reader.GetString(reader.GetTypeDefinition(outer).Name).StartsWith("<", StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
