namespace TSheets.ConformanceServer;

/// <summary>Where everything is: the OAuth endpoints at TSheets' paths, and the test-only control endpoints.</summary>
internal static class ServerPaths
{
    public const string Authorize = "/api/v1/authorize";
    public const string Token = "/api/v1/grant";
    public const string Revocation = "/api/v1/revoke";

    /// <summary>OpenIddict's metadata document (RFC 8414), also answered at the OpenID Connect discovery path.</summary>
    public const string Discovery = "/.well-known/oauth-authorization-server";
    public const string OpenIdDiscovery = "/.well-known/openid-configuration";

    public const string Control = "/_control";
}
