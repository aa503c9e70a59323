using System.Globalization;
using TSheets.TestServers;

namespace TSheets.Emulator.Endpoints;

/// <summary>
/// /_emulator/*: what a test uses to set the scene (clients, tokens, faults, config) and to check what its
/// client did (stats, secrets). None of it exists on the real service.
/// </summary>
internal static class ControlEndpoints
{
    public static void MapControlEndpoints(this IEndpointRouteBuilder app)
    {
        var control = app.MapGroup(EmulatorPaths.Control).AddEndpointFilter(ControlJson.AnswerMalformedJson);
        control.MapPost("/clients", RegisterClientAsync);
        control.MapPost("/authorize", AuthorizeEndpoints.AuthorizeWithoutBrowserAsync);
        control.MapPost("/faults", AddFaultAsync);
        control.MapDelete("/faults", (EmulatorState emulator) => Results.Json(new FaultsCleared(emulator.ClearFaults())));
        control.MapPost("/tokens", MintTokensAsync);
        control.MapPost("/tokens/expire", ExpireTokenAsync);
        control.MapGet("/stats", (EmulatorState emulator) => Results.Json(emulator.GetStats()));
        control.MapGet("/secrets", (EmulatorState emulator) => Results.Json(new Secrets(emulator.GetSecrets())));
        control.MapGet("/config", (EmulatorState emulator) => Results.Json(emulator.Config));
        control.MapPost("/config", ChangeConfigAsync);
        control.MapPost("/reset", Reset);
        control.MapPost("/shutdown", ControlJson.Shutdown);
    }

    private static async Task<IResult> RegisterClientAsync(HttpRequest request, EmulatorState emulator)
    {
        var registration = await request.ReadJsonBodyAsync<ClientRegistration>();
        if (string.IsNullOrEmpty(registration?.RedirectUri))
        {
            return ControlJson.BadRequest("redirect_uri is required");
        }

        string? authMethod = NullIfEmpty(registration.TokenEndpointAuthMethod);
        if (authMethod is not (null or RegisteredClient.SecretPost or RegisteredClient.SecretBasic))
        {
            return ControlJson.BadRequest($"token_endpoint_auth_method must be {RegisteredClient.SecretPost} or {RegisteredClient.SecretBasic}, or missing for either");
        }

        return Results.Json(emulator.RegisterClient(
            NullIfEmpty(registration.ClientId), NullIfEmpty(registration.ClientSecret), registration.RedirectUri, authMethod));
    }

    private static async Task<IResult> AddFaultAsync(HttpRequest request, EmulatorState emulator)
    {
        var fault = await request.ReadJsonBodyAsync<FaultDefinition>();
        if (fault is null)
        {
            return ControlJson.BadRequest("A fault needs at least a path");
        }

        if (fault.FindProblem() is { } problem)
        {
            return ControlJson.BadRequest(problem);
        }

        emulator.AddFault(fault);
        return Results.Json(fault);
    }

    private static async Task<IResult> MintTokensAsync(HttpRequest request, EmulatorState emulator)
    {
        var mint = await request.ReadJsonBodyAsync<TokenMint>() ?? new TokenMint();
        int expiresIn = mint.ExpiresIn ?? emulator.Config.AccessTtlSeconds;
        if (expiresIn < 0)
        {
            return ControlJson.BadRequest("expires_in must be 0 or more");
        }

        var tokens = emulator.MintTokens(NullIfEmpty(mint.ClientId), expiresIn, mint.Refreshable, mint.Limited);
        return Results.Json(new MintedTokens(
            tokens.AccessToken,
            tokens.RefreshToken,
            tokens.ExpiresIn,
            SeedData.UserId.ToString(CultureInfo.InvariantCulture),
            SeedData.CompanyId.ToString(CultureInfo.InvariantCulture),
            tokens.Limited));
    }

    private static async Task<IResult> ExpireTokenAsync(HttpRequest request, EmulatorState emulator)
    {
        var expiry = await request.ReadJsonBodyAsync<TokenExpiry>();
        string? accessToken = NullIfEmpty(expiry?.AccessToken);
        string? refreshToken = NullIfEmpty(expiry?.RefreshToken);
        if (accessToken is null && refreshToken is null)
        {
            return ControlJson.BadRequest("access_token or refresh_token is required");
        }

        if (accessToken is not null && !emulator.ExpireAccessToken(accessToken))
        {
            return OAuthErrors.Result(StatusCodes.Status404NotFound, "not_found", "No such access token was issued");
        }

        return refreshToken is null || emulator.ExpireRefreshToken(refreshToken)
            ? Results.Json(new ControlStatus("expired"))
            : OAuthErrors.Result(StatusCodes.Status404NotFound, "not_found", "No such refresh token is live (never issued, or already rotated)");
    }

    private static async Task<IResult> ChangeConfigAsync(HttpRequest request, EmulatorState emulator)
    {
        var change = await request.ReadJsonBodyAsync<ConfigChange>() ?? new ConfigChange();
        return change.FindProblem() is { } problem
            ? ControlJson.BadRequest(problem)
            : Results.Json(emulator.ChangeConfig(change));
    }

    private static IResult Reset(EmulatorState emulator)
    {
        emulator.Reset();
        return Results.Json(new ControlStatus("reset"));
    }


    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <param name="ClientId">Generated (emu- and 16 hex digits) when missing.</param>
    /// <param name="ClientSecret">Generated (40 hex digits) when missing.</param>
    /// <param name="TokenEndpointAuthMethod">client_secret_post or client_secret_basic to allow only that one; missing for either.</param>
    private sealed record ClientRegistration(
        string? ClientId = null, string? ClientSecret = null, string? RedirectUri = null, string? TokenEndpointAuthMethod = null);

    /// <param name="ClientId">The client whose refresh requests may use the refresh token; when missing, any client's may.</param>
    /// <param name="ExpiresIn">Seconds; the config's access_ttl_seconds when missing.</param>
    /// <param name="Refreshable">False for a token as the web UI's "Add Token" makes: no refresh token.</param>
    /// <param name="Limited">A token of a user without admin permissions: only GET current_user and timesheets answer, the rest 401.</param>
    private sealed record TokenMint(string? ClientId = null, int? ExpiresIn = null, bool Refreshable = true, bool Limited = false);

    private sealed record MintedTokens(string AccessToken, string? RefreshToken, int ExpiresIn, string UserId, string CompanyId, bool Limited);

    /// <summary>Either token or both: each is made to expire now.</summary>
    private sealed record TokenExpiry(string? AccessToken = null, string? RefreshToken = null);

    private sealed record FaultsCleared(int Cleared);

    private sealed record Secrets(IReadOnlyList<string> Values);

    private sealed record ControlStatus(string Status);
}
