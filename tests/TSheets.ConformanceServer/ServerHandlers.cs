using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace TSheets.ConformanceServer;

/// <summary>
/// Refuses a client authentication method other than the one the client was registered with
/// (<see cref="ClientRegistry.AuthenticationMethodProperty"/>, the RFC 7591 <c>token_endpoint_auth_method</c>).
/// </summary>
/// <remarks>
/// OpenIddict 7.8 only has a server-wide list of client authentication methods
/// (<see cref="OpenIddictServerOptions.ClientAuthenticationMethods"/>, checked by its ASP.NET Core host); it has no
/// per-application one. This is that same check, per application, answering the way OpenIddict's does (invalid_client,
/// its ID2174 message). It runs before OpenIddict authenticates the client, so a refused request has no side effect.
/// Presenting both methods at once is refused by OpenIddict itself (invalid_request, ID2087) before this runs.
/// </remarks>
internal sealed class EnforceRegisteredClientAuthenticationMethod<TContext>(IOpenIddictApplicationManager applications)
    : IOpenIddictServerHandler<TContext>
    where TContext : BaseValidatingClientContext
{
    public async ValueTask HandleAsync(TContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrEmpty(context.ClientId))
        {
            return;
        }

        // An unknown client is OpenIddict's to refuse.
        object? application = await applications.FindByClientIdAsync(context.ClientId, context.CancellationToken);
        if (application is null)
        {
            return;
        }

        string? registered = ClientRegistry.ReadAuthenticationMethod(
            await applications.GetPropertiesAsync(application, context.CancellationToken));
        string? presented = PresentedMethod(context);
        if (registered is null || presented is null || presented == registered)
        {
            // No secret at all: OpenIddict refuses a confidential client without one itself.
            return;
        }

        context.Logger.LogInformation(
            "Client {ClientId} presented {Presented}, but is registered for {Registered} only.", context.ClientId, presented, registered);
        context.Reject(
            error: Errors.InvalidClient,
            description: $"The '{presented}' client authentication method is not supported.");
    }

    private static string? PresentedMethod(TContext context)
    {
        // OpenIddict's host copies Basic credentials into the request's client_id/client_secret, so the header decides.
        string? authorization = context.Transaction.GetHttpRequest()?.Headers.Authorization;
        if (authorization is not null && authorization.TrimStart().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return ClientAuthenticationMethods.ClientSecretBasic;
        }

        return string.IsNullOrEmpty(context.Transaction.Request?.ClientSecret) ? null : ClientAuthenticationMethods.ClientSecretPost;
    }
}

/// <summary>Adds TSheets' <c>user_id</c> to successful token responses, as a standard custom sign-in parameter.</summary>
internal sealed class AttachUserIdParameter : IOpenIddictServerHandler<HandleTokenRequestContext>
{
    public ValueTask HandleAsync(HandleTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Principal?.GetClaim(Claims.Subject) is { Length: > 0 } subject)
        {
            context.Parameters["user_id"] = subject;
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>Leaves the OAuth error of a response where <see cref="RequestRecordingMiddleware"/> finds it.</summary>
internal sealed class RememberResponseError<TContext> : IOpenIddictServerHandler<TContext>
    where TContext : BaseContext
{
    public ValueTask HandleAsync(TContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Transaction.Response?.Error is { Length: > 0 } error
            && context.Transaction.GetHttpRequest()?.HttpContext is { } httpContext)
        {
            httpContext.Items[RequestRecordingMiddleware.ResponseErrorItem] =
                new ResponseError(error, context.Transaction.Response.ErrorDescription);
        }

        return ValueTask.CompletedTask;
    }
}
