using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TSheets.ConformanceServer;

/// <summary>A client to register, at startup (<c>--clients</c>) or through POST /_control/clients.</summary>
internal sealed record ClientRegistration
{
    public string? RedirectUri { get; init; }

    /// <summary>"post" (client_secret_post, the default) or "basic" (client_secret_basic): the only one allowed.</summary>
    public string? ClientAuthentication { get; init; }

    public bool RequirePkce { get; init; }

    /// <summary>A scope the client is permitted and that its authorization requests must ask for.</summary>
    public string? RequiredScope { get; init; }

    /// <summary>Authorization codes live 2 s and access tokens 5 s instead of 30 s and 600 s.</summary>
    public bool ShortLived { get; init; }

    /// <summary>Generated when left out.</summary>
    public string? ClientId { get; init; }

    /// <summary>Generated when left out.</summary>
    public string? ClientSecret { get; init; }
}

internal sealed record RegisteredClient(
    string ClientId,
    string ClientSecret,
    string RedirectUri,
    string TokenEndpointAuthMethod,
    bool RequirePkce,
    string? RequiredScope,
    IReadOnlyList<string> PermittedScopes,
    int AuthorizationCodeLifetimeSeconds,
    int AccessTokenLifetimeSeconds);

internal sealed record RegistrationResult(RegisteredClient? Client, string? Problem);

/// <summary>
/// Turns a registration into a standard OpenIddict application: a confidential client with a hashed secret, one exact
/// redirect URI, permissions for the code and refresh token flows and the revocation endpoint, and OpenIddict's own
/// per-application PKCE requirement and token lifetimes.
/// </summary>
internal sealed class ClientRegistry(
    IOpenIddictApplicationManager applications,
    IOpenIddictScopeManager scopes,
    ILogger<ClientRegistry> logger)
{
    /// <summary>Registered server-wide and permitted to every client.</summary>
    public const string CommonScope = "api";

    /// <summary>The RFC 7591 client metadata name, kept in the application's properties.</summary>
    public const string AuthenticationMethodProperty = "token_endpoint_auth_method";

    public const string RequiredScopeProperty = "required_scope";

    public static readonly TimeSpan ShortCodeLifetime = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan ShortAccessTokenLifetime = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultCodeLifetime = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultAccessTokenLifetime = TimeSpan.FromSeconds(600);

    /// <summary>Registered when --clients is not given.</summary>
    public static ClientRegistration DefaultClient { get; } = new()
    {
        ClientId = "conformance-client",
        ClientSecret = "conformance-secret",
        RedirectUri = "http://127.0.0.1/callback",
        ClientAuthentication = "post",
    };

    public static string? ReadAuthenticationMethod(ImmutableDictionary<string, JsonElement> properties) =>
        properties.TryGetValue(AuthenticationMethodProperty, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static string? ReadRequiredScope(ImmutableDictionary<string, JsonElement> properties) =>
        properties.TryGetValue(RequiredScopeProperty, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public async Task<RegistrationResult> RegisterAsync(ClientRegistration registration, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(registration.RedirectUri)
            || !Uri.TryCreate(registration.RedirectUri, UriKind.Absolute, out var redirectUri)
            || !string.IsNullOrEmpty(redirectUri.Fragment))
        {
            return Problem("redirect_uri is required: an absolute URI without a fragment");
        }

        string? method = (registration.ClientAuthentication ?? "post") switch
        {
            "post" => ClientAuthenticationMethods.ClientSecretPost,
            "basic" => ClientAuthenticationMethods.ClientSecretBasic,
            _ => null,
        };
        if (method is null)
        {
            return Problem("client_authentication must be \"post\" or \"basic\"");
        }

        string? requiredScope = string.IsNullOrEmpty(registration.RequiredScope) ? null : registration.RequiredScope;
        if (requiredScope is not null && (requiredScope.Any(c => c <= ' ' || c is '"' or '\\' || c > '~') || requiredScope == Scopes.OpenId))
        {
            return Problem("required_scope must be one scope token (RFC 6749 section 3.3), and not openid");
        }

        string clientId = string.IsNullOrEmpty(registration.ClientId) ? "client-" + RandomHex(8) : registration.ClientId;
        string clientSecret = string.IsNullOrEmpty(registration.ClientSecret) ? RandomHex(24) : registration.ClientSecret;
        if (await applications.FindByClientIdAsync(clientId, cancellationToken) is not null)
        {
            return Problem($"client_id '{clientId}' is already registered");
        }

        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = clientSecret,
            ClientType = ClientTypes.Confidential,
            ApplicationType = ApplicationTypes.Web,
            // Consent is the authorization endpoint's business (automatic, or denied through /_control/consent).
            ConsentType = ConsentTypes.Implicit,
            DisplayName = $"Conformance client {clientId}",
            RedirectUris = { redirectUri },
            Permissions =
            {
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.Token,
                Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.AuthorizationCode,
                // Also what lets the client be granted offline_access.
                Permissions.GrantTypes.RefreshToken,
                Permissions.ResponseTypes.Code,
                Permissions.Prefixes.Scope + CommonScope,
            },
        };
        descriptor.Properties[AuthenticationMethodProperty] = JsonSerializer.SerializeToElement(method);

        var permittedScopes = new List<string> { Scopes.OfflineAccess, CommonScope };
        if (requiredScope is not null)
        {
            descriptor.Properties[RequiredScopeProperty] = JsonSerializer.SerializeToElement(requiredScope);
            if (!permittedScopes.Contains(requiredScope))
            {
                descriptor.Permissions.Add(Permissions.Prefixes.Scope + requiredScope);
                permittedScopes.Add(requiredScope);
                await EnsureScopeAsync(requiredScope, cancellationToken);
            }
        }

        if (registration.RequirePkce)
        {
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        }

        TimeSpan codeLifetime = DefaultCodeLifetime;
        TimeSpan accessTokenLifetime = DefaultAccessTokenLifetime;
        if (registration.ShortLived)
        {
            codeLifetime = ShortCodeLifetime;
            accessTokenLifetime = ShortAccessTokenLifetime;
            descriptor.SetAuthorizationCodeLifetime(codeLifetime);
            descriptor.SetAccessTokenLifetime(accessTokenLifetime);
        }

        try
        {
            await applications.CreateAsync(descriptor, cancellationToken);
        }
        catch (OpenIddictExceptions.ValidationException e)
        {
            return Problem(string.Join("; ", e.Results.Select(result => result.ErrorMessage)));
        }

        logger.LogInformation("Registered client {ClientId} ({Method}) for {RedirectUri}", clientId, method, redirectUri);
        return new RegistrationResult(
            new RegisteredClient(
                clientId,
                clientSecret,
                redirectUri.AbsoluteUri,
                method,
                registration.RequirePkce,
                requiredScope,
                permittedScopes,
                (int)codeLifetime.TotalSeconds,
                (int)accessTokenLifetime.TotalSeconds),
            null);
    }

    private async Task EnsureScopeAsync(string name, CancellationToken cancellationToken)
    {
        // OpenIddict accepts a scope registered in its options or in its scope store; runtime scopes go to the store.
        if (name == Scopes.OfflineAccess || await scopes.FindByNameAsync(name, cancellationToken) is not null)
        {
            return;
        }

        await scopes.CreateAsync(new OpenIddictScopeDescriptor { Name = name }, cancellationToken);
    }

    private static RegistrationResult Problem(string problem) => new(null, problem);

    private static string RandomHex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}
