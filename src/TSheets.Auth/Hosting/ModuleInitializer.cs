using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Runs when the module is imported and removed. It refuses PowerShell 7.0 to 7.3 at once
    /// (<see cref="RuntimeSupport"/>). On Windows PowerShell 5.1 (.NET Framework) it
    /// installs the assembly resolver before any type that needs System.Text.Json is touched, and
    /// removes it with the module. PowerShell 7 binds to the runtime's own, newer copies of those
    /// assemblies, so nothing is installed there.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        // The AppDomain's resolve event is process-wide, and PowerShell makes a new initializer for
        // each import and removal: what is installed is kept in one slot for the process.
        private static readonly ResolverSlot Installed = new ResolverSlot();

        public void OnImport()
        {
            // At once, before anything can fail later with a loader error on a runtime too old for the module.
            var (desktop, version) = RuntimeSupport.Current();
            var why = RuntimeSupport.WhyUnsupported(desktop, version);
            if (why != null)
            {
                throw new PSNotSupportedException(why);
            }

            if (desktop)
            {
                Installed.Fill(InstallResolver);
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static IDisposable InstallResolver() =>
            DesktopAssemblyResolver.Install(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location));

        public void OnRemove(PSModuleInfo psModuleInfo) => Installed.Empty();
    }

    /// <summary>
    /// The installed resolver, if any. Typed IDisposable, not the resolver's own type: importing on
    /// PowerShell 7 must not load Core.
    /// </summary>
    internal sealed class ResolverSlot
    {
        private readonly object gate = new object();
        private IDisposable installed;

        public void Fill(Func<IDisposable> install)
        {
            lock (gate)
            {
                installed = installed ?? install();
            }
        }

        public void Empty()
        {
            lock (gate)
            {
                installed?.Dispose();
                installed = null;
            }
        }
    }

    /// <summary>AppDomain.AssemblyResolve for the module's own dependencies only; the decision is Core's <see cref="AssemblyResolution"/>.</summary>
    internal sealed class DesktopAssemblyResolver : IDisposable
    {
        private readonly System.Collections.Generic.IReadOnlyList<ShippedAssembly> shipped;

        private DesktopAssemblyResolver(string folder)
        {
            shipped = ShippedAssembly.InFolder(folder, "TSheets.Auth", "TSheets.Auth.Core");
        }

        public static DesktopAssemblyResolver Install(string folder)
        {
            var installed = new DesktopAssemblyResolver(folder);
            AppDomain.CurrentDomain.AssemblyResolve += installed.Resolve;
            return installed;
        }

        public void Dispose() => AppDomain.CurrentDomain.AssemblyResolve -= Resolve;

        private Assembly Resolve(object sender, ResolveEventArgs args)
        {
            var (loaded, file) = AssemblyResolution.Decide(new AssemblyName(args.Name), shipped, AppDomain.CurrentDomain.GetAssemblies());
            return loaded ?? (file == null ? null : Assembly.LoadFrom(file));
        }
    }
}
