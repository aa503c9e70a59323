#nullable enable

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace TSheets.Auth.Commands
{
    /// <summary>A DLL shipped in the module folder, as the resolver knows it.</summary>
    internal sealed class ShippedAssembly
    {
        public ShippedAssembly(string path, AssemblyName name)
        {
            Path = path;
            Name = name;
        }

        public string Path { get; }

        public AssemblyName Name { get; }

        /// <summary>Every DLL in <paramref name="folder"/> but the module's own, read without loading them.</summary>
        public static IReadOnlyList<ShippedAssembly> InFolder(string folder, params string[] except) =>
            Directory.GetFiles(folder, "*.dll")
                .Where(path => !except.Contains(System.IO.Path.GetFileNameWithoutExtension(path), StringComparer.OrdinalIgnoreCase))
                .Select(path => new ShippedAssembly(path, AssemblyName.GetAssemblyName(path)))
                .ToList();
    }

    /// <summary>
    /// Which assembly answers a load request that .NET Framework could not bind (Windows
    /// PowerShell 5.1 has no binding redirects for a module: System.Memory asks for
    /// System.Buffers 4.0.2.0 while the folder ships 4.0.3.0, say). Only the module's own
    /// dependencies are answered, each by an already loaded copy or the shipped one, provided it
    /// is the same library (public key token) of the same or a higher version; anything else is
    /// left to the runtime. PowerShell 7 needs none of this: it binds to the runtime's own, newer
    /// copies of these assemblies, and the resolver is never installed there.
    /// </summary>
    internal static class AssemblyResolution
    {
        /// <returns>The loaded assembly or the shipped file to use; both null when the request is not ours to answer.</returns>
        public static (Assembly? Loaded, string? File) Decide(AssemblyName requested, IEnumerable<ShippedAssembly> shipped, IEnumerable<Assembly> loaded)
        {
            var ours = shipped.FirstOrDefault(s => string.Equals(s.Name.Name, requested.Name, StringComparison.OrdinalIgnoreCase));
            if (ours == null || !SameLibrary(ours.Name, requested))
            {
                return (null, null);
            }

            var wanted = requested.Version ?? new Version(0, 0);
            var already = loaded
                .Select(assembly => (Assembly: assembly, Name: SafeName(assembly)))
                .Where(candidate => candidate.Name != null && string.Equals(candidate.Name.Name, requested.Name, StringComparison.OrdinalIgnoreCase)
                    && SameLibrary(candidate.Name, requested) && candidate.Name.Version >= wanted)
                .OrderByDescending(candidate => candidate.Name!.Version)
                .Select(candidate => candidate.Assembly)
                .FirstOrDefault();
            if (already != null)
            {
                return (already, null);
            }

            return ours.Name.Version >= wanted ? (null, ours.Path) : (null, null);
        }

        private static bool SameLibrary(AssemblyName a, AssemblyName b)
        {
            var left = a.GetPublicKeyToken() ?? Array.Empty<byte>();
            var right = b.GetPublicKeyToken() ?? Array.Empty<byte>();
            return right.Length == 0 || Enumerable.SequenceEqual(left, right);
        }

        private static AssemblyName? SafeName(Assembly assembly)
        {
            try
            {
                return assembly.GetName();
            }
            catch (Exception ex) when (ex is NotSupportedException || ex is System.Security.SecurityException)
            {
                return null;
            }
        }
    }
}
