using System.Globalization;

namespace TSheets.Emulator.Endpoints;

/// <summary>
/// What every API call goes through before its endpoint: a valid bearer token, the rate limit, the token's
/// permissions, and the managed-client header that switches the company the call acts on.
/// </summary>
internal static class ApiAccessFilter
{
    private static readonly object CompanyKey = new();

    /// <summary>Marks an endpoint a limited token (a user without admin permissions) may call.</summary>
    public static TBuilder AllowLimitedTokens<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new LimitedTokensAllowed());

    /// <summary>The company the call acts on: the token's own, or the managed one its header names.</summary>
    public static Company ActingCompany(this HttpContext context) =>
        context.Items.TryGetValue(CompanyKey, out object? company) && company is Company acting ? acting : SeedData.Company;

    public static async ValueTask<object?> RequireAccessToken(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var emulator = context.RequestServices.GetRequiredService<EmulatorState>();
        var admission = emulator.AdmitApiCall(context.Request.BearerToken(), RequestRecordingMiddleware.ReceivedAt(context));
        switch (admission.Access)
        {
            case ApiAccess.Unauthorized:
                return ApiErrors.Unauthorized("the access token is invalid or expired");
            case ApiAccess.RateLimited:
                // TSheets documents no Retry-After header, so none is sent: clients must back off on their own.
                return ApiError.Result(StatusCodes.Status429TooManyRequests, "Too Many Requests");
        }

        string? header = context.Request.Headers[RequestExtensions.ManagedClientIdHeader];
        long? managedClientId = null;
        if (!string.IsNullOrEmpty(header))
        {
            if (!long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out long id))
            {
                return ApiErrors.ExpectationFailed($"{RequestExtensions.ManagedClientIdHeader} must be the id of a managed client, a number");
            }

            managedClientId = id;
        }

        // A valid token whose user may not do this gets 401 too, the same status as a bad token [doc]: a client
        // that refreshes once and still gets it must stop rather than loop.
        bool limitedMayCall = context.GetEndpoint()?.Metadata.GetMetadata<LimitedTokensAllowed>() is not null;
        if (admission.Limited && (!limitedMayCall || managedClientId is not null))
        {
            return ApiErrors.Unauthorized(ApiErrors.InsufficientPermission);
        }

        if (managedClientId is long managedId)
        {
            if (SeedData.FindManagedCompany(managedId) is { } managed)
            {
                context.Items[CompanyKey] = managed;
            }
            else if (emulator.Config.RejectUnknownManagedClient)
            {
                return ApiErrors.Unauthorized($"company {managedId} is not a managed client of this company");
            }
        }

        return await next(invocation);
    }

    private sealed class LimitedTokensAllowed;
}
