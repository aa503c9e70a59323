using System;
using System.Net.Http;
using TSheets.Auth.Reporting;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// What the handlers need to know about one call, and what they found out, carried in the
    /// request's properties (the handlers themselves are shared). A request copied for a resend
    /// carries the same object, so what one try learns the next one sees.
    /// </summary>
    internal sealed class RequestOptions
    {
        private const string Key = "TSheets.Auth.RequestOptions";

        /// <summary>What an error is about: the connection name (never a secret).</summary>
        public object? Target { get; set; }

        /// <summary>How long one try may take, from sending to the last byte of the answer (pacing waits aside).</summary>
        public TimeSpan TryTimeout { get; set; } = TimeSpan.FromSeconds(100);

        public IReporter Report { get; set; } = NullReporter.Instance;

        /// <summary>The call as messages name it: method and path under the base URI, already safe to show.</summary>
        public string Described { get; set; } = string.Empty;

        /// <summary>The proxy a try that failed went through, as messages name it (set by <see cref="ProxyHandler"/>); null: direct, or no failure.</summary>
        public string? Proxy { get; set; }

        /// <summary>How many times a 429 or 503 may be tried again.</summary>
        public int MaximumRetryCount { get; set; }

        /// <summary>No wait for a 429 or 503 may end after this; null: no retries wait.</summary>
        public DateTimeOffset? Deadline { get; set; }

        /// <summary>The token's short one-way name, set by the bearer handler: the pacer's key.</summary>
        public string? TokenKey { get; set; }

        /// <summary>How many tries were made (set by the retry handler).</summary>
        public int Tries { get; set; } = 1;

        /// <summary>The wait a 429 or 503 asked for that the deadline did not allow; null when none was refused.</summary>
        public TimeSpan? WaitRefused { get; set; }

        /// <summary>The options carried by <paramref name="request"/>; new (defaults) when it carries none.</summary>
        public static RequestOptions Of(HttpRequestMessage request)
        {
            if (request.Properties.TryGetValue(Key, out var value) && value is RequestOptions options)
            {
                return options;
            }

            options = new RequestOptions();
            request.Properties[Key] = options;
            return options;
        }

        public RequestOptions AttachTo(HttpRequestMessage request)
        {
            request.Properties[Key] = this;
            return this;
        }
    }
}
