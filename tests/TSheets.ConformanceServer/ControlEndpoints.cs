using TSheets.TestServers;

namespace TSheets.ConformanceServer;

/// <summary>
/// /_control/*: what a test uses to set the scene (clients, the next consent decision) and to check what its client
/// did (stats). None of it is OAuth; OpenIddict never sees these requests.
/// </summary>
internal static class ControlEndpoints
{
    // The browserless twin asks this server itself, and must see the redirect rather than follow it.
    private static readonly HttpClient SelfClient = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static void MapControlEndpoints(this IEndpointRouteBuilder app)
    {
        var control = app.MapGroup(ServerPaths.Control).AddEndpointFilter(ControlJson.AnswerMalformedJson);
        control.MapPost("/clients", RegisterClientAsync);
        control.MapPost("/consent", SetConsentAsync);
        control.MapPost("/authorize", AuthorizeWithoutBrowserAsync);
        control.MapGet("/stats", (ConformanceState state) => Results.Json(state.GetStats()));
        control.MapPost("/clock", AdvanceClockAsync);
        control.MapPost("/reset", Reset);
        control.MapPost("/shutdown", ControlJson.Shutdown);
    }

    private static async Task<IResult> RegisterClientAsync(HttpRequest request, ClientRegistry registry)
    {
        var registration = await request.ReadJsonBodyAsync<ClientRegistration>() ?? new ClientRegistration();
        var result = await registry.RegisterAsync(registration, request.HttpContext.RequestAborted);
        return result.Client is { } client ? Results.Json(client) : ControlJson.BadRequest(result.Problem ?? "The client cannot be registered");
    }

    private static async Task<IResult> SetConsentAsync(HttpRequest request, ConformanceState state)
    {
        var consent = await request.ReadJsonBodyAsync<ConsentDecision>();
        switch (consent?.Decision)
        {
            case "deny":
                state.SetDecision(denyNext: true);
                break;
            case "approve":
                state.SetDecision(denyNext: false);
                break;
            default:
                return ControlJson.BadRequest("decision must be \"deny\" or \"approve\"");
        }

        return Results.Json(new ConsentStatus(consent.Decision, state.DenyPending));
    }

    /// <summary>
    /// Does what a browser would: GETs the authorization URL (on this server, whatever host it names) and reports where
    /// it was sent. A request OpenIddict cannot redirect (unknown client, unregistered redirect_uri) has no location:
    /// its status and body say why.
    /// </summary>
    private static async Task<IResult> AuthorizeWithoutBrowserAsync(HttpRequest request, ServerAddress server)
    {
        var body = await request.ReadJsonBodyAsync<AuthorizeRequest>();
        if (string.IsNullOrEmpty(body?.Url) || !Uri.TryCreate(body.Url, UriKind.Absolute, out var url))
        {
            return ControlJson.BadRequest("url must be the full authorization URL");
        }

        if (!url.AbsolutePath.Equals(ServerPaths.Authorize, StringComparison.OrdinalIgnoreCase))
        {
            return ControlJson.BadRequest($"url must be this server's authorization endpoint, {ServerPaths.Authorize}");
        }

        var target = new Uri(server.BaseAddress, url.PathAndQuery);
        using var response = await SelfClient.GetAsync(target, request.HttpContext.RequestAborted);
        string? location = response.Headers.Location is { } header
            ? (header.IsAbsoluteUri ? header.AbsoluteUri : new Uri(target, header).AbsoluteUri)
            : null;
        string? text = location is null ? await response.Content.ReadAsStringAsync(request.HttpContext.RequestAborted) : null;
        return Results.Json(new AuthorizeOutcome((int)response.StatusCode, location, text));
    }

    /// <summary>Moves the server's clock forward (see <see cref="TestClock"/>); only a loopback caller may.</summary>
    private static async Task<IResult> AdvanceClockAsync(HttpRequest request, TestClock clock)
    {
        if (request.HttpContext.Connection.RemoteIpAddress is not { } caller || !System.Net.IPAddress.IsLoopback(caller))
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        var body = await request.ReadJsonBodyAsync<ClockAdvance>();
        if (body?.AdvanceSeconds is not { } seconds || seconds < 0 || double.IsNaN(seconds) || seconds > TimeSpan.FromDays(3650).TotalSeconds)
        {
            return ControlJson.BadRequest("advance_seconds must be a number of seconds, 0 or more");
        }

        clock.Advance(TimeSpan.FromSeconds(seconds));
        return Results.Json(new ClockStatus(clock.GetUtcNow(), clock.Offset.TotalSeconds));
    }

    private static IResult Reset(ConformanceState state)
    {
        state.Reset();
        return Results.Json(new ControlStatus("reset"));
    }


    private sealed record ConsentDecision(string? Decision);

    private sealed record ConsentStatus(string Decision, bool DenyPending);

    private sealed record AuthorizeRequest(string? Url);

    private sealed record AuthorizeOutcome(int Status, string? Location, string? Body);

    private sealed record ControlStatus(string Status);

    private sealed record ClockAdvance(double? AdvanceSeconds);

    private sealed record ClockStatus(DateTimeOffset Now, double OffsetSeconds);

}
