using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.Linq;
using TSheets.Auth.Common;

namespace TSheets.Auth.Api
{
    /// <summary>A batch item that TSheets refused, inside an answer that was 200 overall.</summary>
    internal sealed class BatchFailure
    {
        public BatchFailure(string index, int status, string? message, string? extra)
        {
            Index = index;
            Status = status;
            Message = message;
            Extra = extra;
        }

        /// <summary>The item's place in the request, as TSheets numbers it (from 1).</summary>
        public string Index { get; }

        public int Status { get; }

        public string? Message { get; }

        public string? Extra { get; }
    }

    /// <summary>What TSheets' answers look like beyond plain JSON: PHP's empty arrays, paging, batch item statuses.</summary>
    internal static class ApiShapes
    {
        /// <summary>
        /// PHP writes an empty map as <c>[]</c>: <c>"users": []</c> inside <c>results</c>, and
        /// <c>"supplemental_data": []</c>. Those come out as empty objects, the same as <c>{}</c>.
        /// </summary>
        public static object? Normalize(object? value)
        {
            if (value is OrderedDictionary page)
            {
                foreach (var key in new[] { "results", "supplemental_data" })
                {
                    if (page.Contains(key))
                    {
                        page[key] = EmptyAsObject(page[key]);
                        if (page[key] is OrderedDictionary collections)
                        {
                            foreach (var name in collections.Keys.Cast<object>().ToList())
                            {
                                collections[name] = EmptyAsObject(collections[name]);
                            }
                        }
                    }
                }
            }

            return value;
        }

        /// <summary>True when the answer says another page follows (<c>"more": true</c>).</summary>
        public static bool HasMore(object? value) => value is OrderedDictionary page && page.Contains("more") && page["more"] is bool more && more;

        /// <summary>How many items the page's <c>results</c> hold, over all its collections.</summary>
        public static int ItemCount(object? value) =>
            value is OrderedDictionary page && page.Contains("results") && page["results"] is OrderedDictionary results
                ? results.Values.Cast<object>().Sum(collection => collection is ICollection items ? items.Count : 0)
                : 0;

        /// <summary>
        /// The items of the answer's <c>results</c>, one object each: TSheets keys them by ID (or by
        /// the request's index) under <c>results.&lt;collection&gt;</c>, so the values of every
        /// collection, in order. Null when the answer has no <c>results</c> collection.
        /// </summary>
        public static object?[]? Items(object? value)
        {
            if (!(value is OrderedDictionary page) || !page.Contains("results") || !(page["results"] is OrderedDictionary results))
            {
                return null;
            }

            var items = new List<object?>();
            foreach (DictionaryEntry collection in results)
            {
                switch (collection.Value)
                {
                    case OrderedDictionary keyed:
                        items.AddRange(keyed.Values.Cast<object?>());
                        break;
                    case object?[] listed:
                        items.AddRange(listed);
                        break;
                }
            }

            return items.ToArray();
        }

        /// <summary>
        /// Takes the failed items out of a POST/PUT answer (their <c>_status_code</c> is not 2xx) and
        /// returns them; what stays in the answer are the good items.
        /// </summary>
        public static List<BatchFailure> TakeFailures(object? value)
        {
            var failures = new List<BatchFailure>();
            if (!(value is OrderedDictionary page) || !page.Contains("results") || !(page["results"] is OrderedDictionary results))
            {
                return failures;
            }

            foreach (DictionaryEntry collection in results)
            {
                if (!(collection.Value is OrderedDictionary items))
                {
                    continue;
                }

                foreach (var key in items.Keys.Cast<object>().ToList())
                {
                    if (items[key] is OrderedDictionary item && item.Contains("_status_code")
                        && int.TryParse(Convert.ToString(item["_status_code"], CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out var status)
                        && (status < 200 || status > 299))
                    {
                        failures.Add(new BatchFailure(
                            Text.FromServer(Convert.ToString(key, CultureInfo.InvariantCulture), 40) ?? "?",
                            status,
                            Text.FromServer(item.Contains("_status_message") ? Convert.ToString(item["_status_message"], CultureInfo.InvariantCulture) : null, 300),
                            Text.FromServer(item.Contains("_status_extra") ? Convert.ToString(item["_status_extra"], CultureInfo.InvariantCulture) : null, 300)));
                        items.Remove(key);
                    }
                }
            }

            return failures;
        }

        private static object? EmptyAsObject(object? value) => value is object[] array && array.Length == 0 ? new OrderedDictionary() : value;
    }
}
