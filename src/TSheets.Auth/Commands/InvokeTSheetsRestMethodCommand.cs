using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using TSheets.Auth.Operations;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Calls the TSheets API with a connection's token and returns the JSON answer as objects;
    /// with -All, one object per page while TSheets says more follow; with -Items, one object per
    /// item of the results. What is piped in binds without surprises: strings to -Path (in the
    /// default set), anything else to -Body once -Path is given, and a token's or connection's
    /// Name to -Name (then the object itself is no body).
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "TSheetsRestMethod", DefaultParameterSetName = PathSet, HelpUri = HelpLinks.InvokeTSheetsRestMethod)]
    [OutputType(typeof(PSObject))]
    public sealed class InvokeTSheetsRestMethodCommand : TSheetsNetworkCmdlet
    {
        private const string PathSet = "Path";
        private const string BodySet = "Body";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = BodySet)]
        [ArgumentCompleter(typeof(EndpointCompleter))]
        [ValidateNotWhiteSpace]
        public string Path { get; set; }

        [Parameter]
        [ValidateSet("GET", "POST", "PUT", "DELETE", IgnoreCase = true)]
        public string Method { get; set; } = "GET";

        [Parameter]
        [ValidateNotNull]
        public IDictionary Query { get; set; }

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ValueFromPipeline = true, ParameterSetName = BodySet)]
        public object Body { get; set; }

        [Parameter]
        public SwitchParameter All { get; set; }

        [Parameter]
        public SwitchParameter Items { get; set; }

        [Parameter]
        [ValidatePattern(@"^[0-9]{1,19}\z")]
        public string ManagedClientId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
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
            var operations = ModuleRoot.Operations;
            // A token or connection piped in named the connection (its Name bound to -Name): it is no body.
            var body = Body is PSObject wrapped ? wrapped.BaseObject : Body;
            if (body is TSheetsToken || body is TSheetsConnection)
            {
                body = null;
            }

            try
            {
                var options = new ApiCallOptions
                {
                    Name = Name,
                    Vault = Vault,
                    Method = Method,
                    Path = Path,
                    Query = QueryPairs(),
                    JsonBody = body == null ? null : JsonConversion.ToJsonBody(Body),
                    ManagedClientId = ManagedClientId,
                    MaximumRetryCount = MaximumRetryCount,
                    Timeout = TimeSpan.FromSeconds(TimeoutSec),
                    Network = NetworkOptions(),
                    Items = Items,
                };
                if (!All)
                {
                    Write(Wait(operations.InvokeAsync(options, Sink, CancellationToken)));
                    return;
                }

                var pages = operations.ReadPages(options, Sink, CancellationToken);
                object page;
                while ((page = Wait(pages.NextAsync())) != null)
                {
                    Write(page);
                }
            }
            catch (TSheetsAuthException ex)
            {
                WriteVerboseText($"{Method.ToUpperInvariant()} {Path} failed: {ex.ErrorId}.");
                ThrowTerminatingError(ex);
            }
        }

        private void Write(object value)
        {
            if (value != null)
            {
                WriteObject(JsonConversion.ToPSObject(value), enumerateCollection: true);
            }
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
    }
}
