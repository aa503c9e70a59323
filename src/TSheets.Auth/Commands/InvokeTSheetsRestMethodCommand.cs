using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Calls the TSheets API with a connection's token and returns the JSON answer as objects;
    /// with -All, one object per page while TSheets says more follow.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "TSheetsRestMethod")]
    [OutputType(typeof(PSObject))]
    public sealed class InvokeTSheetsRestMethodCommand : TSheetsCmdlet
    {
        /// <summary>Far more than any TSheets list has pages of 200; a guard against a server that always says "more".</summary>
        private const int MaxPages = 10000;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotWhiteSpace]
        public string Path { get; set; }

        [Parameter]
        [ValidateSet("GET", "POST", "PUT", "DELETE", IgnoreCase = true)]
        public string Method { get; set; } = "GET";

        [Parameter]
        [ValidateNotNull]
        public IDictionary Query { get; set; }

        [Parameter(ValueFromPipeline = true)]
        public object Body { get; set; }

        [Parameter]
        public SwitchParameter All { get; set; }

        [Parameter]
        [ValidateNotWhiteSpace]
        public string ManagedClientId { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(ConnectionNameCompleter))]
        [ValidateNotWhiteSpace]
        public string Name { get; set; } = DefaultName;

        [Parameter]
        [ArgumentCompleter(typeof(VaultNameCompleter))]
        [ValidateNotWhiteSpace]
        public string Vault { get; set; }

        [Parameter]
        [ValidateRange(0, 10)]
        public int MaximumRetryCount { get; set; } = 3;

        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 100;

        protected override void ProcessRecord()
        {
            var method = Method.ToUpperInvariant();
            if (Body != null && method == "GET")
            {
                WriteWarning("-Body is not sent with GET; use -Query for GET parameters.");
            }

            var request = new ApiRequest
            {
                Method = method,
                Path = Path,
                JsonBody = Body == null ? null : JsonConversion.ToJsonBody(Body),
                ManagedClientId = ManagedClientId,
                MaximumRetryCount = MaximumRetryCount,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
            };
            var query = QueryPairs();
            var page = All ? FirstPage(query) : 0;
            var client = new ApiClient(HttpTransport.Shared, TokenService.CreateDefault(SecretManagementVault.Instance), SystemClock.Instance);
            for (var pages = 0; pages < MaxPages; pages++)
            {
                request.Query = page == 0 ? query : WithPage(query, page);
                ApiResult result;
                try
                {
                    result = Wait(client.SendAsync(Name, Vault, request, CancellationToken));
                }
                catch (TSheetsAuthException ex)
                {
                    WriteVerbose($"{method} {Path} failed: {ex.ErrorId}.");
                    ThrowTerminatingError(ex);
                    return;
                }

                result.Verbose.ForEach(WriteVerbose);
                result.Warnings.ForEach(WriteWarning);
                if (result.VaultFailure != null)
                {
                    WriteError(result.VaultFailure);
                }

                if (result.Value != null)
                {
                    WriteObject(JsonConversion.ToPSObject(result.Value), enumerateCollection: true);
                }

                if (!All || !result.More)
                {
                    return;
                }

                page++;
            }

            WriteWarning($"Stopped after {MaxPages} pages.");
        }

        private List<KeyValuePair<string, string>> QueryPairs()
        {
            var pairs = new List<KeyValuePair<string, string>>();
            if (Query == null)
            {
                return pairs;
            }

            foreach (DictionaryEntry entry in Query)
            {
                pairs.Add(new KeyValuePair<string, string>(Convert.ToString(entry.Key, CultureInfo.InvariantCulture), QueryText(entry.Value)));
            }

            return pairs;
        }

        /// <summary>TSheets takes lists comma-separated, booleans in lower case, times in ISO 8601.</summary>
        private static string QueryText(object value)
        {
            value = value is PSObject wrapped ? wrapped.BaseObject : value;
            switch (value)
            {
                case null:
                    return string.Empty;
                case string text:
                    return text;
                case bool flag:
                    return flag ? "true" : "false";
                case DateTime time:
                    return time.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture);
                case DateTimeOffset time:
                    return time.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
                case IEnumerable items:
                    var parts = new List<string>();
                    foreach (var item in items)
                    {
                        parts.Add(QueryText(item));
                    }

                    return string.Join(",", parts);
                default:
                    return Convert.ToString(value, CultureInfo.InvariantCulture);
            }
        }

        private static int FirstPage(List<KeyValuePair<string, string>> query)
        {
            foreach (var pair in query)
            {
                if (string.Equals(pair.Key, "page", StringComparison.OrdinalIgnoreCase) && int.TryParse(pair.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page > 0)
                {
                    return page;
                }
            }

            return 1;
        }

        private static List<KeyValuePair<string, string>> WithPage(List<KeyValuePair<string, string>> query, int page)
        {
            var pairs = query.FindAll(p => !string.Equals(p.Key, "page", StringComparison.OrdinalIgnoreCase));
            pairs.Add(new KeyValuePair<string, string>("page", page.ToString(CultureInfo.InvariantCulture)));
            return pairs;
        }
    }
}
