namespace TSheets.Emulator;

/// <summary>
/// A scripted misbehaviour for the next request(s) to one path: an error answer (any status, 499 included,
/// which TSheets uses for IP blocks), a delay, a hang, or a dropped connection.
/// </summary>
/// <param name="Path">The full request path, such as /api/v1/grant; compared case-insensitively.</param>
/// <param name="Method">Only requests with this method match; null matches any.</param>
/// <param name="Status">The status to answer with; null answers normally after <paramref name="DelayMs"/> (a pure delay).</param>
/// <param name="ContentType">Sent with <paramref name="Body"/>; application/json when not given.</param>
/// <param name="Times">How many matching requests this fault takes.</param>
/// <param name="Hang">Never answer: hold the request until the client gives up.</param>
/// <param name="Abort">Reset the connection without an answer.</param>
internal sealed record FaultDefinition(
    string? Path,
    string? Method = null,
    int? Status = null,
    string? Body = null,
    string? ContentType = null,
    Dictionary<string, string>? Headers = null,
    int DelayMs = 0,
    int Times = 1,
    bool Hang = false,
    bool Abort = false)
{
    /// <returns>Why the fault cannot be queued, or null when it can.</returns>
    public string? FindProblem() =>
        string.IsNullOrEmpty(Path) || !Path.StartsWith('/') ? "path must be a request path starting with '/'"
        : Status is < 100 or > 999 ? "status must be from 100 to 999"
        : DelayMs < 0 ? "delay_ms must be 0 or more"
        : Times < 1 ? "times must be 1 or more"
        : null;
}

/// <summary>Answers a request with the first queued fault that matches it, instead of the normal answer.</summary>
/// <remarks>The control endpoints are never faulted, so a test can always clear what it queued.</remarks>
internal sealed class FaultInjectionMiddleware(RequestDelegate next, EmulatorState state, IHostApplicationLifetime lifetime)
{
    private static readonly object UnansweredMarker = new();

    /// <summary>True when a fault dropped this request's connection without an answer.</summary>
    public static bool LeftUnanswered(HttpContext context) => context.Items.ContainsKey(UnansweredMarker);

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        FaultDefinition? fault = EmulatorPaths.Classify(request.Path) == RequestKind.Control
            ? null
            : state.TakeFault(request.Method, request.Path.Value ?? "");
        if (fault is null)
        {
            await next(context);
            return;
        }

        // A hang also ends when the emulator stops, so shutdown never waits on it.
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            if (fault.DelayMs > 0)
            {
                await Task.Delay(fault.DelayMs, giveUp.Token);
            }

            if (fault.Hang)
            {
                await Task.Delay(Timeout.Infinite, giveUp.Token);
            }
        }
        catch (OperationCanceledException)
        {
            DropConnection(context);
            return;
        }

        if (fault.Abort)
        {
            DropConnection(context);
        }
        else if (fault.Status is int status)
        {
            await WriteAnswerAsync(context.Response, fault, status);
        }
        else
        {
            await next(context);
        }
    }

    private static void DropConnection(HttpContext context)
    {
        context.Items[UnansweredMarker] = true;
        context.Abort();
    }

    private static async Task WriteAnswerAsync(HttpResponse response, FaultDefinition fault, int status)
    {
        response.StatusCode = status;
        foreach (var (name, value) in fault.Headers ?? new Dictionary<string, string>())
        {
            response.Headers[name] = value;
        }

        if (fault.Body is not null)
        {
            response.ContentType = fault.ContentType ?? "application/json";
            await response.WriteAsync(fault.Body);
        }
        else if (fault.ContentType is not null)
        {
            response.ContentType = fault.ContentType;
        }
    }
}
