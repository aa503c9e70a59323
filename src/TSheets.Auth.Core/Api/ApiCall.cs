using System.Collections.Generic;
using System.Net.Http;
using TSheets.Auth.Http;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Api
{
    /// <summary>
    /// The bearer handler's part of one API call, carried in the request beside its
    /// <see cref="RequestOptions"/>: the connection whose token goes out, and what the 401 path did,
    /// so the caller's message says it (refreshed, refreshed to the same token, or not at all).
    /// </summary>
    internal sealed class ApiCall
    {
        private const string Key = "TSheets.Auth.ApiCall";

        public ApiCall(CallScope scope, Connection connection)
        {
            Scope = scope;
            Connection = connection;
        }

        public CallScope Scope { get; }

        /// <summary>The connection whose token the last try carried.</summary>
        public Connection Connection { get; set; }

        /// <summary>True once a try has been sent: later tries look the token up again (a wait may have been long).</summary>
        public bool Sent { get; set; }

        /// <summary>The token TSheets refused with a 401 before a refresh; null when no refresh was made.</summary>
        public string? RefusedToken { get; set; }

        /// <summary>The refresh after a 401 gave back the token just refused.</summary>
        public bool RefreshedToSame { get; set; }

        /// <summary>Every token sent in this call, so a message quoting the server can never show one.</summary>
        public List<string> Tokens { get; } = new List<string>();

        public static ApiCall? Of(HttpRequestMessage request) =>
            request.Properties.TryGetValue(Key, out var value) ? value as ApiCall : null;

        public ApiCall AttachTo(HttpRequestMessage request)
        {
            request.Properties[Key] = this;
            return this;
        }
    }
}
