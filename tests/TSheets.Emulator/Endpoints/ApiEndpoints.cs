using System.Globalization;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace TSheets.Emulator.Endpoints;

/// <summary>The API endpoints a token is used on. Each needs a valid bearer token and counts against its rate limit.</summary>
internal static class ApiEndpoints
{
    private const int MaximumPageSize = 200;

    public static void MapApiEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(EmulatorPaths.ApiBase).AddEndpointFilter(RequireAccessToken);
        api.MapGet("/current_user", GetCurrentUser);
        api.MapGet("/users", GetUsers);
        api.Map("/echo", EchoAsync);
        api.Map("/echo/{**rest}", EchoAsync);
    }

    private static async ValueTask<object?> RequireAccessToken(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next) =>
        invocation.HttpContext.RequestServices.GetRequiredService<EmulatorState>()
                .AdmitApiCall(invocation.HttpContext.Request.BearerToken()) switch
        {
            ApiAccess.Granted => await next(invocation),
            // TSheets documents no Retry-After header, so none is sent: clients must back off on their own.
            ApiAccess.RateLimited => ApiError.Result(StatusCodes.Status429TooManyRequests, "Too Many Requests"),
            _ => ApiError.Result(StatusCodes.Status401Unauthorized, "Unauthorized: the access token is invalid or expired"),
        };

    private static IResult GetCurrentUser()
    {
        var users = new OrderedDictionary<string, CurrentUser>
        {
            [Key(SeedData.CurrentUser.Id)] = SeedData.CurrentUser,
        };
        return Results.Json(new UserList<CurrentUser>(new UserResults<CurrentUser>(users), More: false, []));
    }

    private static IResult GetUsers(HttpRequest request)
    {
        if (!TryReadPositive(request.Query["limit"], MaximumPageSize, out int limit))
        {
            return ExpectationFailed("limit must be a whole number, 1 or more");
        }

        if (limit > MaximumPageSize)
        {
            return ExpectationFailed($"limit must be {MaximumPageSize} or less");
        }

        if (!TryReadPositive(request.Query["page"], 1, out int page))
        {
            return ExpectationFailed("page must be a whole number, 1 or more");
        }

        var all = SeedData.PagingUsers;
        long skip = (long)(page - 1) * limit;
        var users = new OrderedDictionary<string, ListedUser>();
        foreach (var user in all.Skip((int)Math.Min(skip, all.Count)).Take(limit))
        {
            users[Key(user.Id)] = user;
        }

        bool more = skip + limit < all.Count;
        return Results.Json(new UserList<ListedUser>(new UserResults<ListedUser>(users), more, []));
    }

    /// <summary>Answers with what the client sent, so tests can check headers, query and body.</summary>
    private static async Task<IResult> EchoAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        string body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);

        // The Authorization header is left out so the echo never repeats a token into a test's logs.
        var headers = request.Headers
            .Where(header => !header.Key.Equals(HeaderNames.Authorization, StringComparison.OrdinalIgnoreCase))
            .ToFlatDictionary();

        return Results.Json(new Echo(
            request.Method,
            request.Path.Value ?? "",
            request.Query.ToFlatDictionary(),
            headers,
            request.ContentType,
            body));
    }

    private static bool TryReadPositive(string? text, int whenMissing, out int value)
    {
        if (string.IsNullOrEmpty(text))
        {
            value = whenMissing;
            return true;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1;
    }

    private static IResult ExpectationFailed(string reason) =>
        ApiError.Result(StatusCodes.Status417ExpectationFailed, $"Expectation Failed: {reason}");

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>TSheets' list shape: results keyed by type, then by id; "more" tells whether another page follows.</summary>
    private sealed record UserList<TUser>(UserResults<TUser> Results, bool More, Dictionary<string, object> SupplementalData);

    private sealed record UserResults<TUser>(OrderedDictionary<string, TUser> Users);

    private sealed record Echo(
        string Method,
        string Path,
        Dictionary<string, string> Query,
        Dictionary<string, string> Headers,
        string? ContentType,
        string Body);
}
