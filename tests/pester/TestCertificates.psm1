using namespace System.Security.Cryptography
using namespace System.Security.Cryptography.X509Certificates

# Throw-away TLS certificates for the tests: a self-signed CA and a server certificate it signs for
# 127.0.0.1 and localhost, so the emulator can serve https (Start-TSheetsEmulator -Https) and a child
# process can trust it the way a real machine trusts a real CA, without installing anything system-wide.
Set-StrictMode -Version 3.0

# The system's CA bundle on Debian and Ubuntu (ca-certificates); other distributions keep it elsewhere.
$script:SystemBundleCandidates = @('/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem')

# Writes into $Folder: ca.pem (the CA, PEM), ca-bundle.pem (the system's CAs + ours, for SSL_CERT_FILE)
# and server.pfx (the server certificate with its key, under $Password). Returns their paths and the
# environment a child process needs to trust the CA.
#
# On Linux .NET builds its root store from OpenSSL's locations, which honour SSL_CERT_FILE (a bundle)
# and SSL_CERT_DIR: a child started with SSL_CERT_FILE = ca-bundle.pem trusts the system's CAs and ours
# (only ours would do for the emulator; the system's keep everything else in that child working). On
# Windows and macOS the platform verifier ignores these variables: there, trust means a certificate store.
function New-TestCertificateSet {
    param([Parameter(Mandatory)] [string] $Folder, [string] $Password = [guid]::NewGuid().ToString('n'), [string[]] $DnsNames = @('localhost'), [string[]] $IPAddresses = @('127.0.0.1', '::1'))
    $ErrorActionPreference = 'Stop'
    New-Item -ItemType Directory -Path $Folder -Force | Out-Null
    $notBefore = [DateTimeOffset]::UtcNow.AddMinutes(-5)   # a clock a little behind still accepts it
    $notAfter = [DateTimeOffset]::UtcNow.AddDays(2)

    $caKey = [RSA]::Create(2048)
    $caRequest = [CertificateRequest]::new(
        "CN=TSheets.Auth test CA $([guid]::NewGuid().ToString('n').Substring(0, 8))", $caKey,
        [HashAlgorithmName]::SHA256, [RSASignaturePadding]::Pkcs1)
    $caRequest.CertificateExtensions.Add([X509BasicConstraintsExtension]::new($true, $true, 0, $true))
    $caRequest.CertificateExtensions.Add([X509KeyUsageExtension]::new(([X509KeyUsageFlags]'KeyCertSign, CrlSign'), $true))
    $caRequest.CertificateExtensions.Add([X509SubjectKeyIdentifierExtension]::new($caRequest.PublicKey, $false))
    $ca = $caRequest.CreateSelfSigned($notBefore, $notAfter.AddDays(1))

    $serverKey = [RSA]::Create(2048)
    $serverRequest = [CertificateRequest]::new('CN=localhost', $serverKey, [HashAlgorithmName]::SHA256, [RSASignaturePadding]::Pkcs1)
    $names = [SubjectAlternativeNameBuilder]::new()
    foreach ($name in $DnsNames) { $names.AddDnsName($name) }
    foreach ($address in $IPAddresses) { $names.AddIpAddress([System.Net.IPAddress]::Parse($address)) }
    $serverRequest.CertificateExtensions.Add($names.Build($false))
    $serverRequest.CertificateExtensions.Add([X509BasicConstraintsExtension]::new($false, $false, 0, $true))
    $serverRequest.CertificateExtensions.Add([X509KeyUsageExtension]::new(([X509KeyUsageFlags]'DigitalSignature, KeyEncipherment'), $true))
    $serverAuth = [OidCollection]::new()
    [void]$serverAuth.Add([Oid]::new('1.3.6.1.5.5.7.3.1'))
    $serverRequest.CertificateExtensions.Add([X509EnhancedKeyUsageExtension]::new($serverAuth, $false))
    $serverRequest.CertificateExtensions.Add([X509SubjectKeyIdentifierExtension]::new($serverRequest.PublicKey, $false))
    $serverRequest.CertificateExtensions.Add([X509AuthorityKeyIdentifierExtension]::CreateFromCertificate($ca, $true, $false))
    $serial = [byte[]]::new(16)
    [RandomNumberGenerator]::Fill($serial)
    $serial[0] = $serial[0] -band 0x7f   # a positive serial number
    $signed = $serverRequest.Create($ca, $notBefore, $notAfter, $serial)
    $server = [RSACertificateExtensions]::CopyWithPrivateKey($signed, $serverKey)

    $caPath = Join-Path $Folder 'ca.pem'
    $bundlePath = Join-Path $Folder 'ca-bundle.pem'
    $pfxPath = Join-Path $Folder 'server.pfx'
    $caPem = $ca.ExportCertificatePem()
    Set-Content -LiteralPath $caPath -Value $caPem -NoNewline -Encoding ascii
    $systemBundle = $script:SystemBundleCandidates | Where-Object { Test-Path -LiteralPath $_ -PathType Leaf } | Select-Object -First 1
    $bundle = if ($systemBundle) { (Get-Content -LiteralPath $systemBundle -Raw).TrimEnd() + "`n" } else { '' }
    Set-Content -LiteralPath $bundlePath -Value ($bundle + $caPem + "`n") -NoNewline -Encoding ascii
    [System.IO.File]::WriteAllBytes($pfxPath, $server.Export([X509ContentType]::Pfx, $Password))

    [pscustomobject]@{
        CaPath       = $caPath
        CaBundlePath = $bundlePath
        PfxPath      = $pfxPath
        PfxPassword  = $Password
        CaThumbprint = $ca.Thumbprint
        # For New-PwshStartInfo / Invoke-FreshPwsh -Environment: the child trusts our CA (Linux).
        TrustEnvironment = @{ SSL_CERT_FILE = $bundlePath }
    }
    foreach ($disposable in $ca, $signed, $server, $caKey, $serverKey) { $disposable.Dispose() }
}

Export-ModuleMember -Function New-TestCertificateSet
