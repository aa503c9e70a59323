using Microsoft.Extensions.Primitives;

namespace TSheets.Emulator.Endpoints;

/// <summary>The parameters of step 1 of the flow, from a query string or from the login form.</summary>
/// <param name="Scope">Accepted and ignored: TSheets has no scopes, a token carries its user's own permissions.</param>
/// <param name="CodeChallengeMethod">PKCE (RFC 7636): S256 or plain; plain when missing.</param>
internal sealed record AuthorizationRequest(
    string? ResponseType,
    string? ClientId,
    string? RedirectUri,
    string? State,
    string? DisplayMode,
    string? Scope = null,
    string? CodeChallenge = null,
    string? CodeChallengeMethod = null)
{
    public static AuthorizationRequest From(Func<string, StringValues> field) => new(
        field("response_type").NonEmpty(),
        field("client_id").NonEmpty(),
        field("redirect_uri").NonEmpty(),
        field("state").NonEmpty(),
        field("display_mode").NonEmpty(),
        field("scope").NonEmpty(),
        field("code_challenge").NonEmpty(),
        field("code_challenge_method").NonEmpty());

    /// <param name="source">page (the login page opened) or control (POST /_emulator/authorize).</param>
    public AuthorizeRequestRecord ToRecord(string at, string source) => new(
        at, source, ClientId, ResponseType, RedirectUri, State is not null, Scope, CodeChallenge is not null, CodeChallengeMethod, DisplayMode);

    /// <summary>
    /// Applies the checks TSheets makes before showing the login page. Only a known client's registered
    /// redirect URI is ever redirected to: anything else could send a code, or an error, to an attacker.
    /// </summary>
    /// <param name="echoState">False to leave state out of error redirects (RFC 6749 says echo it; tests try both).</param>
    public AuthorizationCheck Check(EmulatorState emulator, bool echoState = true)
    {
        if (ClientId is null)
        {
            return new AuthorizationCheck.Refused(OAuthErrors.InvalidRequest, "client_id is required");
        }

        if (emulator.FindClient(ClientId) is not { } client)
        {
            return new AuthorizationCheck.Refused(OAuthErrors.InvalidClient, "Unknown client_id");
        }

        if (RedirectUri is null)
        {
            return new AuthorizationCheck.Refused(OAuthErrors.InvalidRequest, "redirect_uri is required");
        }

        if (!string.Equals(RedirectUri, client.RedirectUri, StringComparison.Ordinal))
        {
            return new AuthorizationCheck.Refused(
                OAuthErrors.RedirectUriMismatch,
                "redirect_uri does not match the redirect URI registered for this client");
        }

        if (ResponseType != "code")
        {
            return new AuthorizationCheck.Redirected(RedirectLocation.ForMalformedRequest(
                client.RedirectUri,
                OAuthErrors.UnsupportedResponseType,
                "response_type must be code",
                echoState ? State : null));
        }

        if (State is null)
        {
            return new AuthorizationCheck.Redirected(RedirectLocation.ForMalformedRequest(
                client.RedirectUri, OAuthErrors.InvalidRequest, "state is required", state: null));
        }

        if (FindPkceProblem(emulator.Config.RequirePkce) is { } problem)
        {
            return new AuthorizationCheck.Redirected(RedirectLocation.ForMalformedRequest(
                client.RedirectUri, OAuthErrors.InvalidRequest, problem, echoState ? State : null));
        }

        PkceChallenge? pkce = CodeChallenge is null ? null : new PkceChallenge(CodeChallenge, CodeChallengeMethod ?? Pkce.Plain);
        return new AuthorizationCheck.Acceptable(client.ClientId, client.RedirectUri, State, pkce);
    }

    private string? FindPkceProblem(bool requirePkce)
    {
        if (CodeChallenge is null)
        {
            return requirePkce ? Pkce.ChallengeRequired : null;
        }

        if (CodeChallengeMethod is not (null or Pkce.S256 or Pkce.Plain))
        {
            return Pkce.MethodInvalid;
        }

        // No verifier could ever match a malformed challenge: better to say so now than at the exchange.
        return Pkce.IsWellFormed(CodeChallenge) ? null : Pkce.ChallengeInvalid;
    }
}

/// <summary>What an authorization request comes to before the user decides.</summary>
internal abstract record AuthorizationCheck
{
    /// <summary>Not redirectable (unknown client, bad redirect URI): the user sees an error page.</summary>
    public sealed record Refused(string Error, string Description) : AuthorizationCheck;

    /// <summary>Malformed, but from a known client: the browser goes back to the client with an error.</summary>
    public sealed record Redirected(string Location) : AuthorizationCheck;

    /// <summary>Valid: the user may log in and decide.</summary>
    /// <param name="Pkce">The code challenge, stored with the code that approval issues.</param>
    public sealed record Acceptable(string ClientId, string RedirectUri, string State, PkceChallenge? Pkce = null) : AuthorizationCheck
    {
        /// <returns>Where the browser goes after the user's decision; approval issues a code.</returns>
        public string Decide(EmulatorState emulator, bool approve, bool echoState = true)
        {
            string? state = echoState ? State : null;
            return approve
                ? RedirectLocation.Build(RedirectUri, [("code", emulator.IssueCode(ClientId, RedirectUri, Pkce)), ("state", state)])
                : RedirectLocation.Build(
                    RedirectUri,
                    [("error", OAuthErrors.AccessDenied), ("error_description", "The user denied access"), ("state", state)]);
        }
    }
}

internal static class RedirectLocation
{
    /// <summary>Appends parameters to a redirect URI, percent-encoded (RFC 3986); null values are left out.</summary>
    public static string Build(string redirectUri, IEnumerable<(string Name, string? Value)> parameters) =>
        Append(redirectUri, parameters
            .Where(parameter => parameter.Value is not null)
            .Select(parameter => (parameter.Name, Uri.EscapeDataString(parameter.Value!))));

    /// <summary>
    /// The error redirect for a malformed request. Its description is form-encoded, a space as '+', the way a
    /// Rails server such as TSheets writes query strings, while decision redirects use %20: a client must
    /// decode both.
    /// </summary>
    public static string ForMalformedRequest(string redirectUri, string error, string description, string? state)
    {
        var pairs = new List<(string, string)>
        {
            ("error", Uri.EscapeDataString(error)),
            ("error_description", Uri.EscapeDataString(description).Replace("%20", "+", StringComparison.Ordinal)),
        };
        if (state is not null)
        {
            pairs.Add(("state", Uri.EscapeDataString(state)));
        }

        return Append(redirectUri, pairs);
    }

    private static string Append(string redirectUri, IEnumerable<(string Name, string EncodedValue)> pairs) =>
        redirectUri
        + (redirectUri.Contains('?') ? "&" : "?")
        + string.Join("&", pairs.Select(pair => $"{pair.Name}={pair.EncodedValue}"));
}
