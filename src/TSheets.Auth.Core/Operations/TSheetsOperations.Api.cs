#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Api;
using TSheets.Auth.Common;
using TSheets.Auth.Reporting;

namespace TSheets.Auth.Operations
{
    /// <summary>Invoke-TSheetsRestMethod.</summary>
    internal sealed partial class TSheetsOperations
    {
        /// <summary>TSheets' documented endpoints, for completing -Path.</summary>
        public static IReadOnlyList<string> DocumentedEndpoints => ApiEndpoints.Documented;

        /// <summary>
        /// One call: the parsed JSON answer (null for an empty body), or with -Items its results'
        /// items (an array); failed batch items are reported as errors.
        /// </summary>
        public Task<object> InvokeAsync(ApiCallOptions options, IReporter report, CancellationToken cancellationToken) => GuardAsync(
            async () =>
            {
                var request = Request(options, report);
                var answer = await parts.Api.SendAsync(Scope(options.Name, options.Vault, options.Network, report, cancellationToken), request).ConfigureAwait(false);
                return options.Items ? ItemsOf(answer, request, report) : answer;
            },
            Given(options.Network));

        /// <summary>-All: the pages of a list while TSheets says more follow (with -Items, each page's items), read one at a time.</summary>
        public ApiPages ReadPages(ApiCallOptions options, IReporter report, CancellationToken cancellationToken)
        {
            var request = Request(options, report);
            var scope = Guard(() => Scope(options.Name, options.Vault, options.Network, report, cancellationToken));
            var reader = new PageReader(parts.Api, scope, request);
            return new ApiPages(reader, work => GuardAsync(work, Given(options.Network)), options.Items ? page => ItemsOf(page, request, report) : null);
        }

        /// <summary>The answer's items; an answer without a results collection is written as it is, with a warning.</summary>
        private static object ItemsOf(object answer, ApiRequest request, IReporter report)
        {
            var items = ApiShapes.Items(answer);
            if (items == null && answer != null)
            {
                report.Warning($"-Items: the answer of {request.Method} {Redactor.ScrubOutside(request.Path)} has no results collection, so it is written as it is.");
                return answer;
            }

            return items;
        }

        private ApiRequest Request(ApiCallOptions options, IReporter report)
        {
            parts.GrantTimeout.WarnIfInvalid(report);
            var request = options.ToRequest();
            if (request.JsonBody != null && request.Method == "GET")
            {
                report.Warning("-Body is not sent with GET; use -Query for GET parameters.");
            }

            return request;
        }
    }
}
