using Microsoft.Extensions.Primitives;

namespace TSheets.Emulator.Endpoints;

/// <summary>The parameters of step 1 of the flow, from a query string or from the login form.</summary>
internal sealed record AuthorizationRequest(
    string? ResponseType,
    string? ClientId,
    string? RedirectUri,
    string? State,
    string? DisplayMode)
{
    public static AuthorizationRequest From(Func<string, StringValues> field) => new(
        field("response_type").NonEmpty(),
        field("client_id").NonEmpty(),
        field("redirect_uri").NonEmpty(),
        field("state").NonEmpty(),
        field("display_mode").NonEmpty());

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

        return new AuthorizationCheck.Acceptable(client.ClientId, client.RedirectUri, State);
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
    public sealed record Acceptable(string ClientId, string RedirectUri, string State) : AuthorizationCheck
    {
        /// <returns>Where the browser goes after the user's decision; approval issues a code.</returns>
        public string Decide(EmulatorState emulator, bool approve, bool echoState = true)
        {
            string? state = echoState ? State : null;
            return approve
                ? RedirectLocation.Build(RedirectUri, [("code", emulator.IssueCode(ClientId, RedirectUri)), ("state", state)])
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
