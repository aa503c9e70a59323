namespace TSheets.Emulator;

/// <summary>The OAuth-style error body of /grant (and of the emulator's own control endpoints).</summary>
internal sealed record OAuthError(string Error, string ErrorDescription);

internal static class OAuthErrors
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string UnsupportedResponseType = "unsupported_response_type";
    public const string RedirectUriMismatch = "redirect_uri_mismatch";
    public const string AccessDenied = "access_denied";

    public static IResult Result(int status, string error, string description) =>
        Results.Json(new OAuthError(error, description), statusCode: status);
}

/// <summary>The error body of the API endpoints: <c>{"error":{"code":401,"message":"..."}}</c>.</summary>
internal sealed record ApiError(ApiErrorDetail Error)
{
    public static IResult Result(int status, string message) =>
        Results.Json(new ApiError(new ApiErrorDetail(status, message)), statusCode: status);
}

internal sealed record ApiErrorDetail(int Code, string Message);
