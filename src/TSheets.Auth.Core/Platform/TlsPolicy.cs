using System;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Security.Authentication;

namespace TSheets.Auth.Platform
{
    /// <summary>
    /// TLS 1.2 or later on the module's own handler, never process-wide (the official SDK's
    /// <c>ServicePointManager</c> change alters every other module's connections too).
    /// </summary>
    internal static class TlsPolicy
    {
        private const SslProtocols Tls13 = (SslProtocols)12288;

        /// <summary>Windows Server 2022 (Windows 11 is 22000): the first builds whose Schannel speaks TLS 1.3.</summary>
        private const int FirstWindowsBuildWithTls13 = 20348;

        /// <summary>
        /// What to ask for, from the runtime and the OS: modern .NET negotiates 1.2 or 1.3 on every
        /// OS; .NET Framework (Windows PowerShell) goes through Schannel, which refuses a 1.3 flag on
        /// a Windows too old to speak it, so 1.3 is asked for only where Windows has it.
        /// </summary>
        public static SslProtocols Choose(string frameworkDescription, OperatingSystem os)
        {
            var desktop = frameworkDescription != null && frameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);
            if (!desktop)
            {
                return SslProtocols.Tls12 | Tls13;
            }

            var windowsSpeaksTls13 = os.Platform == PlatformID.Win32NT && os.Version.Build >= FirstWindowsBuildWithTls13;
            return windowsSpeaksTls13 ? SslProtocols.Tls12 | Tls13 : SslProtocols.Tls12;
        }

        /// <summary>Sets the protocols on <paramref name="handler"/>; false where the runtime has no per-handler setting.</summary>
        public static bool TryApply(HttpClientHandler handler, SslProtocols protocols)
        {
            try
            {
                Set(handler, protocols);
                return true;
            }
            catch (Exception ex) when (ex is PlatformNotSupportedException || ex is NotSupportedException || ex is ArgumentException || ex is MissingMethodException)
            {
                // .NET Framework before 4.7.1 has no HttpClientHandler.SslProtocols (MissingMethodException
                // when this method is compiled, hence its own method): the OS default applies, which is
                // TLS 1.2 on every supported Windows with the current updates.
                return false;
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void Set(HttpClientHandler handler, SslProtocols protocols) => handler.SslProtocols = protocols;
    }
}
