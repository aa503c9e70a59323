using System.Globalization;
using System.Net.Mime;
using System.Text.Json.Serialization;
using Microsoft.Net.Http.Headers;

namespace TSheets.Emulator.Endpoints;

/// <summary>Step 2 of the flow and the refresh: POST /api/v1/grant, a form in, tokens or an OAuth error out.</summary>
internal static class GrantEndpoint
{
    public static void MapGrantEndpoint(this IEndpointRouteBuilder app) =>
        // Every method reaches the handler, so that a GET gets TSheets' 405 rather than routing's bare one.
        app.Map(EmulatorPaths.Grant, HandleAsync);

    private static async Task<IResult> HandleAsync(HttpContext context, EmulatorState emulator)
    {
        // Token answers must never be cached (RFC 6749 §5.1); error answers are harmless either way.
        context.Response.Headers.CacheControl = "no-store";
        var request = context.Request;

        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = HttpMethods.Post;
            return OAuthErrors.Result(StatusCodes.Status405MethodNotAllowed, OAuthErrors.InvalidRequest, "Use POST");
        }

        if (!IsUrlEncodedForm(request.ContentType))
        {
            return InvalidRequest("The body must be application/x-www-form-urlencoded");
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(context.RequestAborted);
        }
        catch (InvalidDataException)
        {
            return InvalidRequest("The form body cannot be read");
        }

        string? Field(string name) => form[name].NonEmpty();

        string? grantType = Field("grant_type");
        string? clientId = Field("client_id");
        string? clientSecret = Field("client_secret");
        if (grantType is null || clientId is null || clientSecret is null)
        {
            string missing = grantType is null ? "grant_type" : clientId is null ? "client_id" : "client_secret";
            return InvalidRequest($"{missing} is required");
        }

        if (!emulator.AuthenticateClient(clientId, clientSecret))
        {
            return OAuthErrors.Result(
                StatusCodes.Status401Unauthorized, OAuthErrors.InvalidClient, "Client authentication failed");
        }

        GrantOutcome outcome;
        switch (grantType)
        {
            case "authorization_code":
                string? code = Field("code");
                string? redirectUri = Field("redirect_uri");
                if (code is null || redirectUri is null)
                {
                    return InvalidRequest($"{(code is null ? "code" : "redirect_uri")} is required");
                }

                outcome = emulator.RedeemCode(code, clientId, redirectUri);
                break;

            case "refresh_token":
                // The official example also sends "Authorization: Bearer <access token>": accepted, never required.
                string? refreshToken = Field("refresh_token");
                if (refreshToken is null)
                {
                    return InvalidRequest("refresh_token is required");
                }

                outcome = emulator.Refresh(refreshToken, clientId);
                break;

            default:
                return OAuthErrors.Result(
                    StatusCodes.Status400BadRequest,
                    OAuthErrors.UnsupportedGrantType,
                    "grant_type must be authorization_code or refresh_token");
        }

        if (outcome.Tokens is not { } tokens)
        {
            var error = outcome.Error!;
            return OAuthErrors.Result(StatusCodes.Status400BadRequest, error.Error, error.ErrorDescription);
        }

        return Results.Json(TokenResponse.For(tokens, emulator.Config.NumericIds));
    }

    private static IResult InvalidRequest(string description) =>
        OAuthErrors.Result(StatusCodes.Status400BadRequest, OAuthErrors.InvalidRequest, description);

    private static bool IsUrlEncodedForm(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && mediaType.MediaType.Equals(MediaTypeNames.Application.FormUrlEncoded, StringComparison.OrdinalIgnoreCase);

    /// <summary>The token answer, field for field in the order of the TSheets docs' example.</summary>
    /// <param name="UserId">A string as in the docs' example, or a number (config numeric_ids) as seen elsewhere.</param>
    private sealed record TokenResponse(
        string AccessToken,
        int ExpiresIn,
        string TokenType,
        string Scope,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RefreshToken,
        object UserId,
        object CompanyId,
        string ClientUrl)
    {
        public static TokenResponse For(IssuedTokens tokens, bool numericIds) => new(
            tokens.AccessToken,
            tokens.ExpiresIn,
            TokenType: "bearer",
            Scope: "",
            tokens.RefreshToken,
            Id(SeedData.UserId, numericIds),
            Id(SeedData.CompanyId, numericIds),
            SeedData.ClientUrl);

        private static object Id(long id, bool numeric) =>
            numeric ? id : id.ToString(CultureInfo.InvariantCulture);
    }
}
