using Microsoft.Extensions.Primitives;

namespace TSheets.Emulator;

internal static class RequestExtensions
{
    private const string BearerPrefix = "Bearer ";

    /// <summary>The header TSheets reads to let an admin token act on a managed company.</summary>
    public const string ManagedClientIdHeader = "vnd.tsheets.ManagedClientId";

    /// <returns>The token of an <c>Authorization: Bearer</c> header (scheme compared case-insensitively), or null.</returns>
    public static string? BearerToken(this HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        if (header is null || !header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string token = header[BearerPrefix.Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    /// <summary>Query or form fields as name → value; a repeated name gets its values joined by commas.</summary>
    public static Dictionary<string, string> ToFlatDictionary(this IEnumerable<KeyValuePair<string, StringValues>> fields) =>
        fields.ToDictionary(field => field.Key, field => field.Value.ToString(), StringComparer.Ordinal);

    /// <summary>A field's value, or null when it is missing or empty (TSheets treats both alike).</summary>
    public static string? NonEmpty(this StringValues values)
    {
        string? value = values;
        return string.IsNullOrEmpty(value) ? null : value;
    }
}
