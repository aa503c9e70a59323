using Microsoft.AspNetCore;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TSheets.ConformanceServer;

/// <summary>
/// The authorization endpoint's passthrough handler: no login page and automatic consent, so it signs the fixed test
/// user in and OpenIddict redirects back with the code. OpenIddict has already validated the request (client,
/// redirect_uri, response_type, scopes against the client's permissions, PKCE parameters and requirement) before this runs.
/// </summary>
internal static class AuthorizeEndpoint
{
    public const string TestUserSubject = "12345";
    public const string TestUserName = "Conformance Test User";

    public static void MapAuthorizeEndpoint(this IEndpointRouteBuilder app) =>
        app.MapMethods(ServerPaths.Authorize, [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync);

    private static async Task<IResult> AuthorizeAsync(
        HttpContext context, IOpenIddictApplicationManager applications, ConformanceState state)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("OpenIddict did not handle this authorization request.");

        if (state.TakeDeny())
        {
            return Refuse(Errors.AccessDenied, "The test user denied the authorization request.");
        }

        // The one piece of policy of our own: a client registered with required_scope must ask for it.
        object application = await applications.FindByClientIdAsync(request.ClientId!, context.RequestAborted)
            ?? throw new InvalidOperationException("OpenIddict let an unknown client through.");
        if (ClientRegistry.ReadRequiredScope(await applications.GetPropertiesAsync(application, context.RequestAborted))
                is { } requiredScope
            && !request.HasScope(requiredScope))
        {
            return Refuse(Errors.InvalidScope, $"This client application must request the '{requiredScope}' scope.");
        }

        var identity = new ClaimsIdentity(
            authenticationType: TokenValidationParameters.DefaultAuthenticationType,
            nameType: Claims.Name,
            roleType: Claims.Role);
        identity.SetClaim(Claims.Subject, TestUserSubject)
                .SetClaim(Claims.Name, TestUserName);

        // Grant what was asked for (OpenIddict has checked it is permitted): offline_access brings a refresh token.
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(static _ => [Destinations.AccessToken]);

        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>OpenIddict turns this into an error redirect to the client (with its state and iss).</summary>
    private static IResult Refuse(string error, string description) =>
        Results.Forbid(
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            }),
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
