namespace TSheets.ConformanceServer;

/// <summary>The address Kestrel bound (the port is only known once listening), for the browserless authorize twin.</summary>
internal sealed class ServerAddress
{
    private volatile Uri? _baseAddress;

    public Uri BaseAddress => _baseAddress ?? throw new InvalidOperationException("The server is not listening yet.");

    public void Set(string address) => _baseAddress = new Uri(address, UriKind.Absolute);
}
