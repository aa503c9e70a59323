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

        internal ApiPages(PageReader reader, Func<Func<Task<object>>, Task<object>> guard)
        {
            this.reader = reader;
            this.guard = guard;
        }

        /// <summary>The next page, or null when there is none.</summary>
        public Task<object> NextAsync() => guard(reader.NextAsync);
    }
}
