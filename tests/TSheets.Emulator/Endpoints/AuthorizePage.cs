using static System.Net.WebUtility;

namespace TSheets.Emulator.Endpoints;

/// <summary>
/// The HTML of the login-and-consent page. The element ids (username, password, approve, deny) are what a
/// browser-driving test clicks, so they are part of the emulator's contract.
/// </summary>
internal static class AuthorizePage
{
    private const string HtmlContentType = "text/html; charset=utf-8";

    /// <param name="message">Shown above the form, after a rejected submission.</param>
    /// <param name="scope">Carried through the form unchanged; TSheets ignores it.</param>
    public static IResult Login(AuthorizationCheck.Acceptable request, string? displayMode, string? scope, string username, string? message)
    {
        bool signUp = displayMode == "create";
        string heading = signUp ? "Create your QuickBooks Time account" : "Sign in to QuickBooks Time";
        string messageHtml = message is null ? "" : $"""<p id="message" role="alert">{HtmlEncode(message)}</p>""";
        string hiddenInputs = string.Join(
            "\n  ",
            new[]
            {
                Hidden("display_mode", displayMode),
                Hidden("scope", scope),
                Hidden("code_challenge", request.Pkce?.Challenge),
                Hidden("code_challenge_method", request.Pkce?.Method),
            }.Where(input => input.Length > 0));

        string html = $"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>{heading} (TSheets emulator)</title></head>
            <body>
            <h1>{heading}</h1>
            <p>The application <strong id="client">{HtmlEncode(request.ClientId)}</strong> asks to use your account at {HtmlEncode(SeedData.CompanyName)}.</p>
            {messageHtml}
            <form method="post" action="{EmulatorPaths.Authorize}">
              <input type="hidden" name="response_type" value="code">
              <input type="hidden" name="client_id" value="{HtmlEncode(request.ClientId)}">
              <input type="hidden" name="redirect_uri" value="{HtmlEncode(request.RedirectUri)}">
              <input type="hidden" name="state" value="{HtmlEncode(request.State)}">
              {hiddenInputs}
              <p><label for="username">Username</label> <input id="username" name="username" value="{HtmlEncode(username)}"></p>
              <p><label for="password">Password</label> <input id="password" name="password" type="password" value="emulator"></p>
              <p>
                <button id="approve" name="decision" value="approve">Allow</button>
                <button id="deny" name="decision" value="deny">Deny</button>
              </p>
            </form>
            </body>
            </html>
            """;
        return Results.Content(html, HtmlContentType);
    }

    private static string Hidden(string name, string? value) =>
        value is null ? "" : $"""<input type="hidden" name="{name}" value="{HtmlEncode(value)}">""";

    /// <summary>The page for a request that cannot be redirected back to the client.</summary>
    public static IResult Error(string error, string description)
    {
        string html = $"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Authorization error (TSheets emulator)</title></head>
            <body>
            <h1>This authorization request is invalid</h1>
            <p><code id="error">{HtmlEncode(error)}</code>: <span id="error_description">{HtmlEncode(description)}</span></p>
            </body>
            </html>
            """;
        return Results.Content(html, HtmlContentType, statusCode: StatusCodes.Status400BadRequest);
    }
}
