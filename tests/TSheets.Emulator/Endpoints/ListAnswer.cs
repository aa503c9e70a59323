using System.Globalization;
using System.Text.Json.Serialization;

namespace TSheets.Emulator.Endpoints;

/// <summary>Which slice of a list a GET asks for, checked as TSheets checks limit and page.</summary>
/// <param name="PageSize">The items a page holds: limit, or fewer with config short_page_size (api_docs issue 75).</param>
internal sealed record Paging(int Limit, int Page, int PageSize)
{
    public const int MaximumPageSize = 200;

    /// <returns>The paging, or the 417 answer for a bad limit or page.</returns>
    public static (Paging? Paging, IResult? Error) Read(HttpRequest request, EmulatorConfig config)
    {
        if (!TryReadPositive(request.Query["limit"], MaximumPageSize, out int limit))
        {
            return (null, ApiErrors.ExpectationFailed("limit must be a whole number, 1 or more"));
        }

        if (limit > MaximumPageSize)
        {
            return (null, ApiErrors.ExpectationFailed($"limit must be {MaximumPageSize} or less"));
        }

        if (!TryReadPositive(request.Query["page"], 1, out int page))
        {
            return (null, ApiErrors.ExpectationFailed("page must be a whole number, 1 or more"));
        }

        int pageSize = config.ShortPageSize > 0 ? Math.Min(limit, config.ShortPageSize) : limit;
        return (new Paging(limit, page, pageSize), null);
    }

    /// <returns>This page's items, and whether any item follows them ("more").</returns>
    public (IReadOnlyList<T> Items, bool More) Slice<T>(IReadOnlyList<T> all)
    {
        long skip = (long)(Page - 1) * PageSize;
        var items = all.Skip((int)Math.Min(skip, all.Count)).Take(PageSize).ToArray();
        return (items, skip + PageSize < all.Count);
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
}

/// <summary>
/// TSheets' list shape: <c>{"results":{"users":{"&lt;id&gt;":{...}}},"more":false,"supplemental_data":{...}}</c>.
/// PHP encodes an empty associative array as [], so an empty collection and absent supplemental data come
/// back as [] (config empty_collections_as_objects gives {}).
/// </summary>
internal static class ListAnswer
{
    /// <param name="more">Null for a POST or PUT answer, which has no "more".</param>
    public static IResult Create(
        string collection,
        IEnumerable<KeyValuePair<string, object>> items,
        bool? more,
        IEnumerable<KeyValuePair<string, object>>? supplementalData,
        EmulatorConfig config)
    {
        var results = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [collection] = Collection(items, config),
        };
        return Results.Json(new ListBody(results, more, Collection(supplementalData ?? [], config)));
    }

    /// <summary>Items keyed by id, in the order given.</summary>
    public static IEnumerable<KeyValuePair<string, object>> ById<T>(IEnumerable<T> items, Func<T, long> id)
        where T : notnull =>
        items.Select(item => new KeyValuePair<string, object>(Key(id(item)), item));

    public static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <returns>The entries as an object, or [] when there are none.</returns>
    public static object Collection(IEnumerable<KeyValuePair<string, object>> entries, EmulatorConfig config)
    {
        var collection = new OrderedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var (key, value) in entries)
        {
            collection[key] = value;
        }

        return collection.Count == 0 && !config.EmptyCollectionsAsObjects ? Array.Empty<object>() : collection;
    }

    private sealed record ListBody(
        Dictionary<string, object> Results,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? More,
        object SupplementalData);
}

internal static class ApiErrors
{
    public static IResult ExpectationFailed(string reason) =>
        ApiError.Result(StatusCodes.Status417ExpectationFailed, $"Expectation Failed: {reason}");

    public static IResult Unauthorized(string reason) =>
        ApiError.Result(StatusCodes.Status401Unauthorized, $"Unauthorized: {reason}");

    public const string InsufficientPermission = "You don't have sufficient permission";
}
