using System.Globalization;
using System.Net.Mime;
using System.Text.Json.Serialization;
using Microsoft.Net.Http.Headers;

namespace TSheets.Emulator.Endpoints;

/// <summary>
/// Step 2 of the flow and the refresh: POST /api/v1/grant, a form in, tokens or an OAuth error out. The checks
/// and their texts follow bshaffer/oauth2-server-php's TokenController, which TSheets runs.
/// </summary>
internal static class GrantEndpoint
{
    public static void MapGrantEndpoint(this IEndpointRouteBuilder app) =>
        // Every method reaches the handler, so that a GET gets TSheets' 405 rather than routing's bare one.
        app.Map(EmulatorPaths.Grant, HandleAsync);

    private static async Task<IResult> HandleAsync(HttpContext context, EmulatorState emulator)
    {
        // Token answers must never be cached (RFC 6749 §5.1); error answers are harmless either way.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        var request = context.Request;

        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST, OPTIONS";
            return OAuthErrors.Result(
                StatusCodes.Status405MethodNotAllowed,
                OAuthErrors.InvalidRequest,
                "The request method must be POST when requesting an access token");
        }

        if (!IsUrlEncodedForm(request.ContentType))
        {
            return InvalidRequest("The body must be application/x-www-form-urlencoded");
        }

        IReadOnlyDictionary<string, string> form;
        try
        {
            form = (await request.ReadFormAsync(context.RequestAborted)).ToFlatDictionary();
        }
        catch (InvalidDataException)
        {
            return InvalidRequest("The form body cannot be read");
        }

        string? Field(string name) => form.GetValueOrDefault(name) is { Length: > 0 } value ? value : null;

        var config = emulator.Config;
        var auth = ClientAuthentication.Read(request, form);
        if ((auth.ClientId ?? auth.BodyClientId) is { } callerId
            && !emulator.AdmitGrantCall(callerId, RequestRecordingMiddleware.ReceivedAt(context)))
        {
            return ApiError.Result(StatusCodes.Status429TooManyRequests, "Too Many Requests");
        }

        string? grantType = Field("grant_type");
        if (grantType is null)
        {
            return InvalidRequest("The grant type was not specified in the request");
        }

        if (grantType is not ("authorization_code" or "refresh_token"))
        {
            return OAuthErrors.Result(
                StatusCodes.Status400BadRequest, OAuthErrors.UnsupportedGrantType, $"Grant type \"{grantType}\" not supported");
        }

        if (config.StrictClientAuth && auth.FindMixedMechanisms() is { } mixed)
        {
            return InvalidRequest(mixed);
        }

        if (AuthenticateClient(auth, emulator) is { } clientError)
        {
            if (config.InvalidClientStatus == StatusCodes.Status401Unauthorized)
            {
                // RFC 6749 §5.2: a 401 must name the scheme the client is to use.
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"TSheets emulator\"";
            }

            return OAuthErrors.Result(config.InvalidClientStatus, OAuthErrors.InvalidClient, clientError);
        }

        string clientId = auth.ClientId!;
        GrantOutcome outcome;
        if (grantType == "authorization_code")
        {
            if (Field("code") is not { } code)
            {
                return InvalidRequest("Missing parameter: \"code\" is required");
            }

            outcome = emulator.RedeemCode(code, clientId, Field("redirect_uri"), Field("code_verifier"));
        }
        else
        {
            if (Field("refresh_token") is not { } refreshToken)
            {
                return InvalidRequest("Missing parameter: \"refresh_token\" is required");
            }

            outcome = emulator.Refresh(refreshToken, clientId);
        }

        if (outcome.Tokens is not { } tokens)
        {
            var error = outcome.Error!;
            return OAuthErrors.Result(StatusCodes.Status400BadRequest, error.Error, error.ErrorDescription);
        }

        return Results.Json(TokenResponse.For(tokens, config.NumericIds, config.CompanyInClientId));
    }

    /// <returns>The invalid_client description, or null when the client proved who it is the way it may.</returns>
    private static string? AuthenticateClient(ClientAuthentication auth, EmulatorState emulator)
    {
        if (auth.BasicMalformed)
        {
            return "The HTTP Basic credentials cannot be decoded";
        }

        if (auth.ClientId is null)
        {
            return "Client credentials were not found in the headers or body";
        }

        if (auth.ClientSecret is null)
        {
            return "This client is invalid or must authenticate using a client secret";
        }

        if (emulator.AuthenticateClient(auth.ClientId, auth.ClientSecret) is not { } client)
        {
            return "The client credentials are invalid";
        }

        return client.TokenEndpointAuthMethod switch
        {
            RegisteredClient.SecretBasic when !auth.IsBasic =>
                "This client must authenticate with HTTP Basic (token_endpoint_auth_method client_secret_basic)",
            RegisteredClient.SecretPost when auth.IsBasic =>
                "This client must send client_id and client_secret in the request body (token_endpoint_auth_method client_secret_post)",
            _ => null,
        };
    }

    private static IResult InvalidRequest(string description) =>
        OAuthErrors.Result(StatusCodes.Status400BadRequest, OAuthErrors.InvalidRequest, description);

    private static bool IsUrlEncodedForm(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && mediaType.MediaType.Equals(MediaTypeNames.Application.FormUrlEncoded, StringComparison.OrdinalIgnoreCase);

    /// <summary>The token answer, field for field in the order of the TSheets docs' example.</summary>
    /// <param name="UserId">A string as in the docs' example, or a number (config numeric_ids) as seen elsewhere.</param>
    /// <param name="ClientId">The company under the name the docs' prose uses (config company_in_client_id), in place of company_id.</param>
    private sealed record TokenResponse(
        string AccessToken,
        int ExpiresIn,
        string TokenType,
        string Scope,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RefreshToken,
        object UserId,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? CompanyId,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? ClientId,
        string ClientUrl)
    {
        public static TokenResponse For(IssuedTokens tokens, bool numericIds, bool companyInClientId) => new(
            tokens.AccessToken,
            tokens.ExpiresIn,
            TokenType: "bearer",
            Scope: "",
            tokens.RefreshToken,
            Id(SeedData.UserId, numericIds),
            companyInClientId ? null : Id(SeedData.CompanyId, numericIds),
            companyInClientId ? Id(SeedData.CompanyId, numericIds) : null,
            SeedData.ClientUrl);

        private static object Id(long id, bool numeric) =>
            numeric ? id : id.ToString(CultureInfo.InvariantCulture);
    }
}
