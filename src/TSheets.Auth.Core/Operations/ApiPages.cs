#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Threading.Tasks;
using TSheets.Auth.Api;

namespace TSheets.Auth.Operations
{
    /// <summary>The pages of a list (-All), one at a time, for the cmdlet to write each as it arrives.</summary>
    internal sealed class ApiPages
    {
        private readonly PageReader reader;
        private readonly Func<Func<Task<object>>, Task<object>> guard;
        private readonly Func<object, object> shape;

        /// <param name="reader">Reads the pages.</param>
        /// <param name="guard">Scrubs an error as it leaves the door.</param>
        /// <param name="shape">What of each page is written (-Items: its items); null: the page.</param>
        internal ApiPages(PageReader reader, Func<Func<Task<object>>, Task<object>> guard, Func<object, object> shape = null)
        {
            this.reader = reader;
            this.guard = guard;
            this.shape = shape;
        }

        /// <summary>The next page (or its items), or null when there is none.</summary>
        public Task<object> NextAsync() => guard(async () =>
        {
            var page = await reader.NextAsync().ConfigureAwait(false);
            return page == null || shape == null ? page : shape(page) ?? Array.Empty<object>();
        });
    }
}
