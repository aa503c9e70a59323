using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using TSheets.TestServers;

namespace TSheets.Emulator.Endpoints;

/// <summary>Step 1 of the flow: the login and consent page, and its browserless twin for tests.</summary>
internal static class AuthorizeEndpoints
{
    private const string DefaultUsername = "admin";

    public static void MapAuthorizeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(EmulatorPaths.Authorize, ShowLoginPage);
        app.MapPost(EmulatorPaths.Authorize, SubmitLoginFormAsync);
    }

    private static IResult ShowLoginPage(HttpContext context, EmulatorState emulator)
    {
        // The page and its redirects carry state and codes: no cache may keep them.
        context.Response.Headers.CacheControl = "no-store";

        var query = context.Request.Query;
        var request = AuthorizationRequest.From(name => query[name]);
        return request.Check(emulator) switch
        {
            AuthorizationCheck.Refused refused => AuthorizePage.Error(refused.Error, refused.Description),
            AuthorizationCheck.Redirected redirected => Results.Redirect(redirected.Location),
            AuthorizationCheck.Acceptable acceptable => AuthorizePage.Login(acceptable, request.DisplayMode, request.Scope, DefaultUsername, message: null),
            _ => throw new InvalidOperationException("Unknown authorization check outcome."),
        };
    }

    private static async Task<IResult> SubmitLoginFormAsync(HttpContext context, EmulatorState emulator)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (!context.Request.HasFormContentType)
        {
            return AuthorizePage.Error(OAuthErrors.InvalidRequest, "The login form must be posted as a form");
        }

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (InvalidDataException)
        {
            return AuthorizePage.Error(OAuthErrors.InvalidRequest, "The login form cannot be read");
        }

        var request = AuthorizationRequest.From(name => form[name]);
        switch (request.Check(emulator))
        {
            case AuthorizationCheck.Refused refused:
                return AuthorizePage.Error(refused.Error, refused.Description);
            case AuthorizationCheck.Redirected redirected:
                return Results.Redirect(redirected.Location);
            case AuthorizationCheck.Acceptable acceptable:
                string username = form["username"].ToString();
                string decision = form["decision"].ToString();
                if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(form["password"]))
                {
                    return AuthorizePage.Login(acceptable, request.DisplayMode, request.Scope, username, "Enter your username and password.");
                }

                if (decision is not ("approve" or "deny"))
                {
                    return AuthorizePage.Login(acceptable, request.DisplayMode, request.Scope, username, "Choose Allow or Deny.");
                }

                return Results.Redirect(acceptable.Decide(emulator, approve: decision == "approve"));
            default:
                throw new InvalidOperationException("Unknown authorization check outcome.");
        }
    }

    /// <summary>
    /// POST /_emulator/authorize: what a browser would end up at after opening the URL and clicking Allow or
    /// Deny, for tests that drive the flow without one. Mapped with the other control endpoints.
    /// </summary>
    public static async Task<IResult> AuthorizeWithoutBrowserAsync(HttpRequest httpRequest, EmulatorState emulator)
    {
        var body = await httpRequest.ReadJsonBodyAsync<BrowserlessAuthorization>();
        if (body?.Url is null || !Uri.TryCreate(body.Url, UriKind.Absolute, out var url))
        {
            return OAuthErrors.Result(StatusCodes.Status400BadRequest, OAuthErrors.InvalidRequest, "url must be the full /authorize URL");
        }

        string decision = body.Decision ?? "approve";
        if (decision is not ("approve" or "deny"))
        {
            return OAuthErrors.Result(StatusCodes.Status400BadRequest, OAuthErrors.InvalidRequest, "decision must be approve or deny");
        }

        var query = QueryHelpers.ParseQuery(url.Query);
        var request = AuthorizationRequest.From(name => query.GetValueOrDefault(name, StringValues.Empty));
        emulator.RecordAuthorizeRequest(
            request.ToRecord(EmulatorState.FormatTime(RequestRecordingMiddleware.ReceivedAt(httpRequest.HttpContext)), "control"));
        bool echoState = !body.OmitState;
        return request.Check(emulator, echoState) switch
        {
            AuthorizationCheck.Refused refused => OAuthErrors.Result(StatusCodes.Status400BadRequest, refused.Error, refused.Description),
            AuthorizationCheck.Redirected redirected => Results.Json(new BrowserlessOutcome(redirected.Location)),
            AuthorizationCheck.Acceptable acceptable =>
                Results.Json(new BrowserlessOutcome(acceptable.Decide(emulator, decision == "approve", echoState))),
            _ => throw new InvalidOperationException("Unknown authorization check outcome."),
        };
    }

    /// <param name="Decision">approve (the default) or deny.</param>
    /// <param name="OmitState">Leave state out of the redirect, as a careless server might.</param>
    private sealed record BrowserlessAuthorization(string? Url, string? Decision = null, bool OmitState = false);

    private sealed record BrowserlessOutcome(string Location);
}
