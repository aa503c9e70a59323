using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TSheets.TestServers;

/// <summary>The test servers' JSON (wire answers and control endpoints): snake_case, strict about unknown fields.</summary>
internal static class ControlJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static void Configure(JsonSerializerOptions options)
    {
        // TSheets' wire format: access_token, expires_in, supplemental_data...
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;

        // Keeps '&', '<' and '+' readable in echoed URLs and bodies, so tests can compare them as plain strings.
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

        // A misspelled control field ("status_code" for "status") fails loudly instead of being ignored.
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
    }

    /// <summary>
    /// Reads a control request's JSON body whatever its Content-Type, so <c>curl -d '{...}'</c> works without
    /// <c>-H</c>. An empty body gives null: "all defaults". Malformed JSON throws <see cref="JsonException"/>,
    /// which the control endpoints answer with 400.
    /// </summary>
    public static async Task<T?> ReadJsonBodyAsync<T>(this HttpRequest request)
        where T : class
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        string text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        return string.IsNullOrWhiteSpace(text) ? null : JsonSerializer.Deserialize<T>(text, Options);
    }

    /// <summary>POST /_…/shutdown: stops the server once this answer is out, so the caller sees it succeed.</summary>
    public static IResult Shutdown(HttpContext context, IHostApplicationLifetime lifetime)
    {
        context.Response.OnCompleted(() =>
        {
            lifetime.StopApplication();
            return Task.CompletedTask;
        });
        return Results.Json(new { status = "stopping" });
    }

    /// <summary>Control endpoints' filter: a malformed JSON body is answered 400 <c>invalid_request</c>, not 500.</summary>
    public static async ValueTask<object?> AnswerMalformedJson(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        try
        {
            return await next(invocation);
        }
        catch (JsonException e)
        {
            return BadRequest($"The JSON body cannot be read: {e.Message}");
        }
    }

    /// <summary>A control request the server refuses: 400 with an OAuth-shaped <c>invalid_request</c> body.</summary>
    public static IResult BadRequest(string description) =>
        Results.Json(new ControlError("invalid_request", description), statusCode: StatusCodes.Status400BadRequest);

    private sealed record ControlError(string Error, string ErrorDescription);

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions();
        Configure(options);
        return options;
    }
}
