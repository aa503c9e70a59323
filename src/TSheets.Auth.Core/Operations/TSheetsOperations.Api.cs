#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Api;
using TSheets.Auth.Reporting;

namespace TSheets.Auth.Operations
{
    /// <summary>Invoke-TSheetsRestMethod.</summary>
    internal sealed partial class TSheetsOperations
    {
        /// <summary>One call: the parsed JSON answer (null for an empty body); failed batch items are reported as errors.</summary>
        public Task<object> InvokeAsync(ApiCallOptions options, IReporter report, CancellationToken cancellationToken) => GuardAsync(
            () =>
            {
                var request = Request(options, report);
                return parts.Api.SendAsync(Scope(options.Name, options.Vault, options.Network, report, cancellationToken), request);
            },
            Given(options.Network));

        /// <summary>-All: the pages of a list while TSheets says more follow, read one at a time.</summary>
        public ApiPages ReadPages(ApiCallOptions options, IReporter report, CancellationToken cancellationToken)
        {
            var request = Request(options, report);
            var scope = Guard(() => Scope(options.Name, options.Vault, options.Network, report, cancellationToken));
            return new ApiPages(new PageReader(parts.Api, scope, request), work => GuardAsync(work, Given(options.Network)));
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
