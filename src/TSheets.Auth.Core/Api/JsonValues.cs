using System.Collections.Specialized;
using System.Linq;
using System.Text.Json;

namespace TSheets.Auth.Api
{
    /// <summary>
    /// JSON as plain CLR values: objects become ordered dictionaries, arrays object[], numbers
    /// int, long or double, booleans bool, strings string (no guessing at dates). The cmdlet layer
    /// turns the dictionaries into PSCustomObjects.
    /// </summary>
    internal static class JsonValues
    {
        public static object? Parse(string json)
        {
            using (var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 128 }))
            {
                return ToClr(document.RootElement);
            }
        }

        public static object? ToClr(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var members = new OrderedDictionary();
                    foreach (var property in element.EnumerateObject())
                    {
                        // A repeated name: the last one wins, as in most JSON readers.
                        members[property.Name] = ToClr(property.Value);
                    }

                    return members;
                case JsonValueKind.Array:
                    return element.EnumerateArray().Select(ToClr).ToArray();
                case JsonValueKind.String:
                    return element.GetString();
                case JsonValueKind.Number:
                    if (element.TryGetInt32(out var small))
                    {
                        return small;
                    }

                    if (element.TryGetInt64(out var large))
                    {
                        return large;
                    }

                    return element.GetDouble();
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                default:
                    return null;
            }
        }
    }
}
