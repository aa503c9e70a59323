using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading.Tasks;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Api
{
    /// <summary>
    /// -All: the pages of a list, one at a time, while the answer says <c>"more": true</c> (short
    /// pages included: TSheets may send fewer items than asked and more still follow). Asks for
    /// <c>limit=200</c>, the most TSheets allows, unless the query sets a limit; starts at the
    /// query's <c>page</c>, else 1; reports progress as it reads.
    /// </summary>
    internal sealed class PageReader
    {
        /// <summary>Far more than any TSheets list has pages; a guard against a server that always says "more".</summary>
        internal const int MaxPages = 10000;

        private const int MaxLimit = 200;

        private readonly ApiClient api;
        private readonly CallScope scope;
        private readonly ApiRequest request;
        private readonly List<KeyValuePair<string, string>> query;
        private int page;
        private int pages;
        private long items;
        private bool done;

        public PageReader(ApiClient api, CallScope scope, ApiRequest request)
        {
            this.api = api;
            this.scope = scope;
            this.request = request;
            query = new List<KeyValuePair<string, string>>();
            page = 1;
            var hasLimit = false;
            foreach (var pair in request.Query)
            {
                if (string.Equals(pair.Key, "page", StringComparison.OrdinalIgnoreCase))
                {
                    page = int.TryParse(pair.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var first) && first > 0 ? first : 1;
                    continue;
                }

                hasLimit |= string.Equals(pair.Key, "limit", StringComparison.OrdinalIgnoreCase);
                query.Add(pair);
            }

            if (!hasLimit)
            {
                query.Add(new KeyValuePair<string, string>("limit", MaxLimit.ToString(CultureInfo.InvariantCulture)));
            }
        }

        /// <summary>The next page, or null when there is none.</summary>
        public async Task<object?> NextAsync()
        {
            if (done)
            {
                return null;
            }

            var pageQuery = new List<KeyValuePair<string, string>>(query) { new KeyValuePair<string, string>("page", page.ToString(CultureInfo.InvariantCulture)) };
            var value = await api.SendAsync(scope, request.WithQuery(pageQuery)).ConfigureAwait(false);
            pages++;
            page++;
            items += ApiShapes.ItemCount(value);
            var activity = $"Reading {request.Path}";
            var more = ApiShapes.HasMore(value);
            if (more && pages < MaxPages)
            {
                scope.Report.Progress(activity, $"{Count(pages, "page")}, {Count(items, "item")} so far");
            }
            else
            {
                done = true;
                scope.Report.Progress(activity, $"{Count(pages, "page")}, {Count(items, "item")}", completed: true);
                if (more)
                {
                    scope.Report.Warning($"Stopped after {MaxPages} pages of {request.Path}: TSheets still says more follow.");
                }
            }

            return value;
        }

        /// <summary>"1 page", "2 pages".</summary>
        internal static string Count(long count, string noun) =>
            count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? noun : noun + "s");
    }
}
