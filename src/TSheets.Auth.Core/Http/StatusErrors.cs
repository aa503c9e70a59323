using TSheets.Auth.Common;

namespace TSheets.Auth.Http
{
    /// <summary>The one map from a failed HTTP answer to an error ID, for the token endpoint and the API alike.</summary>
    internal static class StatusErrors
    {
        /// <param name="status">The HTTP status of the answer.</param>
        /// <param name="serverCode">The OAuth <c>error</c> (or API error code) the body carried, if any.</param>
        /// <param name="tokenEndpoint">True for <c>/grant</c>, false for API calls.</param>
        /// <param name="html">The body is an HTML page (a proxy, a captive portal).</param>
        public static string IdFor(int status, string? serverCode, bool tokenEndpoint, bool html)
        {
            if (status == 499)
            {
                return ErrorIds.IpBlocked;
            }

            if (status == 429)
            {
                return ErrorIds.RateLimited;
            }

            if (status >= 500)
            {
                return ErrorIds.ServiceUnavailable;
            }

            if (!tokenEndpoint)
            {
                return ErrorIds.ApiError;
            }

            if (serverCode == "invalid_client" || (status == 401 && serverCode == null))
            {
                return ErrorIds.InvalidClient;
            }

            return status >= 400 && !html ? ErrorIds.GrantFailed : ErrorIds.InvalidServerResponse;
        }
    }
}
