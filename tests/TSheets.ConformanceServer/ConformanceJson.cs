using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TSheets.ConformanceServer;

/// <summary>The control endpoints' JSON: snake_case, strict about unknown fields.</summary>
internal static class ConformanceJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;

        // Keeps '&' and '+' readable in echoed URLs, so tests can compare them as plain strings.
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

        // A misspelled control field fails loudly instead of being ignored.
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
    }

    /// <summary>
    /// Reads a control request's JSON body whatever its Content-Type, so <c>curl -d '{...}'</c> works. An empty
    /// body gives null. Malformed JSON throws <see cref="JsonException"/>, which the control endpoints answer with 400.
    /// </summary>
    public static async Task<T?> ReadJsonBodyAsync<T>(this HttpRequest request)
        where T : class
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        string text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        return string.IsNullOrWhiteSpace(text) ? null : JsonSerializer.Deserialize<T>(text, Options);
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions();
        Configure(options);
        return options;
    }
}
