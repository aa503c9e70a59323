using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;

namespace TSheets.Auth.Commands.Tests
{
    /// <summary>
    /// The door between the cmdlets and Core, read from the cmdlet assembly's own metadata: every
    /// Core type it references is listed here, so a new one is a decision someone took on purpose.
    /// (Constants such as ErrorIds' are compiled into the cmdlets and reference no type.)
    /// </summary>
    public class CoreReferenceTests
    {
        /// <summary>The facade with its options and results, the public types, and the seams the cmdlet assembly implements.</summary>
        private static readonly string[] Allowed =
        {
            "TSheets.Auth.AuthorizationRequest",
            "TSheets.Auth.TSheetsAuthException",
            "TSheets.Auth.TSheetsToken",
            "TSheets.Auth.TSheetsConnection",
            "TSheets.Auth.Operations.TSheetsOperations",
            "TSheets.Auth.Operations.SignInOptions",
            "TSheets.Auth.Operations.ConnectionQuery",
            "TSheets.Auth.Operations.SetTokenOptions",
            "TSheets.Auth.Operations.ApiCallOptions",
            "TSheets.Auth.Operations.NetworkOptions",
            "TSheets.Auth.Operations.ChangePlan",
            "TSheets.Auth.Operations.ApiPages",
            "TSheets.Auth.Reporting.IReporter",
            "TSheets.Auth.Interactive.IPrompt",
            "TSheets.Auth.Storage.IRawVault",
        };

        [Fact]
        public void TheCmdletAssemblyReferencesOnlyTheListedCoreTypes()
        {
            var referenced = CoreTypesReferencedBy(typeof(JsonConversion).Assembly.Location);
            Assert.Equal(Allowed.OrderBy(n => n, StringComparer.Ordinal), referenced);
        }

        /// <summary>The full names of the type references that resolve to TSheets.Auth.Core (nested ones by their outermost type's scope).</summary>
        internal static IReadOnlyList<string> CoreTypesReferencedBy(string path)
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            var reader = pe.GetMetadataReader();
            var names = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var handle in reader.TypeReferences)
            {
                var reference = reader.GetTypeReference(handle);
                var outermost = reference;
                var name = reader.GetString(reference.Name);
                while (outermost.ResolutionScope.Kind == HandleKind.TypeReference)
                {
                    outermost = reader.GetTypeReference((TypeReferenceHandle)outermost.ResolutionScope);
                    name = reader.GetString(outermost.Name) + "+" + name;
                }

                if (outermost.ResolutionScope.Kind == HandleKind.AssemblyReference
                    && reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)outermost.ResolutionScope).Name) == "TSheets.Auth.Core")
                {
                    names.Add(reader.GetString(outermost.Namespace) + "." + name);
                }
            }

            return names.ToList();
        }
    }
}
