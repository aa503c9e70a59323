using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TSheets.Emulator;

/// <summary>
/// <c>--https-certificate &lt;pfx&gt; [--https-password &lt;password&gt;]</c>: the certificate Kestrel presents on the
/// https URLs of <c>--urls</c>. Tests make it themselves (a throw-away CA and a server certificate for 127.0.0.1
/// and localhost, tests/pester/TestCertificates.psm1), so a client that trusts that CA talks TLS to the emulator
/// exactly as to the real service. An https URL without it is refused: Kestrel would otherwise look for the ASP.NET
/// development certificate, which a test machine does not have, and fail with a less helpful message.
/// </summary>
internal static class HttpsCertificateOption
{
    /// <summary>False after telling stderr what is wrong; otherwise the certificate, or null when no URL is https.</summary>
    public static bool TryRead(IConfiguration configuration, string[] urls, string serverName, out X509Certificate2? certificate)
    {
        certificate = null;
        bool wantsHttps = urls.Any(url => url.StartsWith("https:", StringComparison.OrdinalIgnoreCase));
        string? path = configuration["https-certificate"];
        if (string.IsNullOrEmpty(path))
        {
            if (wantsHttps)
            {
                Console.Error.WriteLine($"{serverName}: an https URL in --urls needs --https-certificate <pfx> (and --https-password).");
                return false;
            }

            return true;
        }

        if (!wantsHttps)
        {
            Console.Error.WriteLine($"{serverName}: --https-certificate is given but no URL in --urls is https.");
            return false;
        }

        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, configuration["https-password"]);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"{serverName}: cannot read the certificate '{path}': {e.Message}");
            return false;
        }

        if (!certificate.HasPrivateKey)
        {
            Console.Error.WriteLine($"{serverName}: the certificate '{path}' has no private key.");
            certificate.Dispose();
            certificate = null;
            return false;
        }

        return true;
    }
}
