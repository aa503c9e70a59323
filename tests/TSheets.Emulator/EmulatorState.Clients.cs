using System.Security.Cryptography;
using System.Text;

namespace TSheets.Emulator;

/// <summary>A client application as registered in the TSheets web UI: one redirect URI each.</summary>
/// <param name="TokenEndpointAuthMethod">
/// client_secret_post or client_secret_basic (RFC 7591 names) when the client may authenticate only that way; null for either.
/// </param>
internal sealed record RegisteredClient(string ClientId, string ClientSecret, string RedirectUri, string? TokenEndpointAuthMethod = null)
{
    public const string SecretPost = "client_secret_post";
    public const string SecretBasic = "client_secret_basic";
}

internal sealed partial class EmulatorState
{
    private readonly Dictionary<string, RegisteredClient> _clients = new(StringComparer.Ordinal);

    /// <summary>Registers a client, or replaces the one with the same id.</summary>
    public RegisteredClient RegisterClient(string? clientId, string? clientSecret, string redirectUri, string? tokenEndpointAuthMethod = null)
    {
        var client = new RegisteredClient(
            clientId ?? "emu-" + NewHex(16),
            clientSecret ?? NewHex(40),
            redirectUri,
            tokenEndpointAuthMethod);
        lock (_gate)
        {
            _clients[client.ClientId] = client;
            AddSecretLocked(client.ClientSecret);
        }

        return client;
    }

    public RegisteredClient? FindClient(string clientId)
    {
        lock (_gate)
        {
            return _clients.GetValueOrDefault(clientId);
        }
    }

    /// <returns>The client when the secret is its own; null for an unknown client or a wrong secret alike.</returns>
    public RegisteredClient? AuthenticateClient(string clientId, string clientSecret) =>
        FindClient(clientId) is { } client
        && CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(client.ClientSecret),
            Encoding.UTF8.GetBytes(clientSecret))
            ? client
            : null;
}
