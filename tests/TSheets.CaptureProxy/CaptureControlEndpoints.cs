using TSheets.TestServers;

namespace TSheets.CaptureProxy;

/// <summary>/_capture/*: what a test asks the capture proxy (on the control port, never the proxy port).</summary>
internal static class CaptureControlEndpoints
{
    public static void MapCaptureControlEndpoints(this IEndpointRouteBuilder app)
    {
        var control = app.MapGroup("/_capture").AddEndpointFilter(ControlJson.AnswerMalformedJson);
        control.MapGet("/requests", (CaptureLog log, CaptureListener listener) => Results.Json(log.Snapshot(listener.ProxyUrl)));
        control.MapPost("/reset", (CaptureLog log) => Results.Json(new ResetDone(log.Reset())));
        control.MapPost("/answer", SetAnswerAsync);
        control.MapPost("/shutdown", ControlJson.Shutdown);
    }

    private static async Task<IResult> SetAnswerAsync(HttpRequest request, CaptureLog log)
    {
        var change = await request.ReadJsonBodyAsync<AnswerChange>();
        if (change is null || change.Status is < 100 or > 599)
        {
            return ControlJson.BadRequest("status must be from 100 to 599");
        }

        var headers = change.Headers ?? new Dictionary<string, string>();
        if (headers.Keys.Any(name => name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)))
        {
            return ControlJson.BadRequest("Content-Length and Connection are always set by the capture proxy");
        }

        log.Answer = new CaptureAnswer(change.Status, change.Reason ?? "Answer", headers, change.Body ?? "");
        return Results.Json(log.Answer);
    }

    private sealed record AnswerChange(int Status, string? Reason = null, Dictionary<string, string>? Headers = null, string? Body = null);

    private sealed record ResetDone(int Forgotten);
}
