using System;
using System.Collections.Generic;

namespace TSheets.Auth.Api
{
    /// <summary>One call to the TSheets API.</summary>
    internal sealed class ApiRequest
    {
        public string Method { get; set; } = "GET";

        /// <summary>Relative to the connection's base URI: <c>current_user</c>, <c>/users</c>.</summary>
        public string Path { get; set; } = string.Empty;

        public IList<KeyValuePair<string, string>> Query { get; set; } = new List<KeyValuePair<string, string>>();

        /// <summary>JSON text, sent with POST, PUT and DELETE.</summary>
        public string? JsonBody { get; set; }

        /// <summary>Digits only: it becomes a header value.</summary>
        public string? ManagedClientId { get; set; }

        public int MaximumRetryCount { get; set; } = 3;

        /// <summary>Each HTTP request's timeout, and the deadline of the whole call's 429/503 waits (the pacer's waits aside).</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

        public ApiRequest WithQuery(IList<KeyValuePair<string, string>> query) => new ApiRequest
        {
            Method = Method,
            Path = Path,
            Query = query,
            JsonBody = JsonBody,
            ManagedClientId = ManagedClientId,
            MaximumRetryCount = MaximumRetryCount,
            Timeout = Timeout,
        };
    }
}
