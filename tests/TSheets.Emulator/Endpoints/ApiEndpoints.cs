using System.Text;
using Microsoft.Net.Http.Headers;

namespace TSheets.Emulator.Endpoints;

/// <summary>
/// The API endpoints a token is used on. Each needs a valid bearer token and counts against its rate limit
/// (<see cref="ApiAccessFilter"/>), and answers for the company the call acts on.
/// </summary>
internal static class ApiEndpoints
{
    public static void MapApiEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(EmulatorPaths.ApiBase).AddEndpointFilter(ApiAccessFilter.RequireAccessToken);
        api.MapGet("/current_user", GetCurrentUser).AllowLimitedTokens();
        api.MapGet("/users", GetUsers);
        api.MapGet("/managed_clients", GetManagedClients);
        api.MapTimesheetEndpoints();
        api.Map("/echo", EchoAsync);
        api.Map("/echo/{**rest}", EchoAsync);
    }

    private static IResult GetCurrentUser(HttpContext context, EmulatorState emulator)
    {
        var user = context.ActingCompany().Admin;
        return ListAnswer.Create("users", ListAnswer.ById([user], u => u.Id), more: false, supplementalData: null, emulator.Config);
    }

    private static IResult GetUsers(HttpContext context, EmulatorState emulator)
    {
        var config = emulator.Config;
        var (paging, error) = Paging.Read(context.Request, config);
        if (paging is null)
        {
            return error!;
        }

        var (users, more) = paging.Slice(context.ActingCompany().Users);
        return ListAnswer.Create("users", ListAnswer.ById(users, user => user.Id), more, supplementalData: null, config);
    }

    /// <summary>The companies the acting company manages (External Access); a managed company manages none.</summary>
    private static IResult GetManagedClients(HttpContext context, EmulatorState emulator)
    {
        var config = emulator.Config;
        var (paging, error) = Paging.Read(context.Request, config);
        if (paging is null)
        {
            return error!;
        }

        IReadOnlyList<ManagedClient> all = context.ActingCompany().Id == SeedData.CompanyId ? SeedData.ManagedClients : [];
        var (clients, more) = paging.Slice(all);
        return ListAnswer.Create("managed_clients", ListAnswer.ById(clients, client => client.Id), more, supplementalData: null, config);
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

    private sealed record Echo(
        string Method,
        string Path,
        Dictionary<string, string> Query,
        Dictionary<string, string> Headers,
        string? ContentType,
        string Body);
}
