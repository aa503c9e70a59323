#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Collections.Generic;
using TSheets.Auth.Api;

namespace TSheets.Auth.Operations
{
    /// <summary>A call to the TSheets API as Invoke-TSheetsRestMethod was given it.</summary>
    internal sealed class ApiCallOptions
    {
        public string Name { get; set; } = "default";

        public string Vault { get; set; }

        public string Method { get; set; } = "GET";

        public string Path { get; set; }

        public IList<KeyValuePair<string, string>> Query { get; set; } = new List<KeyValuePair<string, string>>();

        /// <summary>The body as JSON text (the cmdlet converts PowerShell objects); not sent with GET.</summary>
        public string JsonBody { get; set; }

        /// <summary>Digits only.</summary>
        public string ManagedClientId { get; set; }

        public int MaximumRetryCount { get; set; } = 3;

        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

        /// <summary>The proxy options; null: none given (the proxy variables, else the system's proxy).</summary>
        public NetworkOptions Network { get; set; }

        /// <summary>-Items: the items of each answer's results collection, instead of the answer.</summary>
        public bool Items { get; set; }

        internal ApiRequest ToRequest() => new ApiRequest
        {
            Method = (Method ?? "GET").ToUpperInvariant(),
            Path = Path,
            Query = Query ?? new List<KeyValuePair<string, string>>(),
            JsonBody = JsonBody,
            ManagedClientId = ManagedClientId,
            MaximumRetryCount = MaximumRetryCount,
            Timeout = Timeout,
        };
    }
}
