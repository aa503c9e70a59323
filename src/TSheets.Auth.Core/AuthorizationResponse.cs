using System;
using System.Linq;

namespace TSheets.Auth
{
    /// <summary>
    /// What TSheets sent back to the redirect URI (step 1's answer), from a pasted address or a
    /// callback the listener received; and the checks that come before any code is exchanged.
    /// </summary>
    public sealed class AuthorizationResponse
    {
        /// <summary>Codes are about 46 characters; anything far longer is not a TSheets code.</summary>
        internal const int MaxCodeLength = 2048;

        private AuthorizationResponse()
        {
        }

        public string Code { get; private set; }

        /// <summary>The <c>state</c> values found (normally exactly one).</summary>
        public string[] States { get; private set; }

        public string Error { get; private set; }

        public string ErrorDescription { get; private set; }

        /// <summary>Reads the query of a redirect target (<c>?code=..&amp;state=..</c>).</summary>
        public static AuthorizationResponse FromQuery(string query)
        {
            var pairs = PercentEncoding.ParseQuery(query);
            string First(string name) => pairs.Where(p => p.Key == name).Select(p => p.Value).FirstOrDefault();
            return new AuthorizationResponse
            {
                Code = First("code"),
                States = pairs.Where(p => p.Key == "state").Select(p => p.Value).ToArray(),
                Error = First("error"),
                ErrorDescription = First("error_description"),
            };
        }

        /// <summary>
        /// Reads an address the user's browser was redirected to, after checking that it is the
        /// app's redirect URI (same scheme, host, port and path).
        /// </summary>
        public static AuthorizationResponse FromRedirectedUrl(Uri redirectedUrl, Uri redirectUri)
        {
            UriRules.ValidateRedirectUri(redirectUri);
            if (redirectedUrl == null || !redirectedUrl.IsAbsoluteUri)
            {
                throw new TSheetsAuthException(
                    ErrorIds.InvalidRedirectUri,
                    "The redirected address must be the full address from the browser's address bar, starting with the redirect URI.",
                    UriRules.Describe(redirectedUrl));
            }

            if (!SameEndpoint(redirectedUrl, redirectUri))
            {
                throw new TSheetsAuthException(
                    ErrorIds.InvalidRedirectUri,
                    $"The redirected address '{UriRules.Describe(redirectedUrl)}' is not the redirect URI '{UriRules.Describe(redirectUri)}'. Paste the address the browser was sent to after you approved.",
                    UriRules.Describe(redirectedUrl));
            }

            return FromQuery(redirectedUrl.Query);
        }

        /// <summary>
        /// The code, once the answer is known to belong to this request: <c>state</c> matches
        /// (constant time), no <c>error</c>, a plausible code. Otherwise the matching error.
        /// </summary>
        public string GetCheckedCode(string expectedState, object target)
        {
            var stateMatches = States.Length == 1 && ConstantTime.Equals(States[0], expectedState);
            if (States.Length > 0 && !stateMatches)
            {
                throw StateMismatch(target);
            }

            if (Error != null)
            {
                var description = string.IsNullOrEmpty(ErrorDescription) ? string.Empty : $" ({Truncate(ErrorDescription)})";
                throw new TSheetsAuthException(
                    ErrorIds.AuthorizationDenied,
                    $"TSheets did not authorize the app: {Truncate(Error)}{description}.",
                    target)
                { ServerError = Truncate(Error) };
            }

            if (!stateMatches)
            {
                throw StateMismatch(target);
            }

            if (string.IsNullOrEmpty(Code))
            {
                throw new TSheetsAuthException(
                    ErrorIds.InvalidRedirectUri,
                    "The redirected address has no authorization code. Paste the whole address the browser was sent to after you approved.",
                    target);
            }

            if (Code.Length > MaxCodeLength || Code.Any(c => c <= ' ' || c > '~'))
            {
                throw new TSheetsAuthException(
                    ErrorIds.InvalidRedirectUri,
                    "The redirected address carries a code that is not a TSheets authorization code.",
                    target);
            }

            return Code;
        }

        private static TSheetsAuthException StateMismatch(object target) =>
            new TSheetsAuthException(
                ErrorIds.StateMismatch,
                "The answer's 'state' does not match this sign-in, so it may not come from it: nothing was sent to TSheets. Start the sign-in again.",
                target);

        private static bool SameEndpoint(Uri a, Uri b)
        {
            try
            {
                return string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
                    && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase)
                    && a.Port == b.Port
                    && string.Equals(a.AbsolutePath.TrimEnd('/'), b.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal);
            }
            catch (UriFormatException)
            {
                // A host that is not a valid name (found by fuzzing): certainly not the redirect URI.
                return false;
            }
        }

        private static string Truncate(string text) =>
            text.Length <= 300 ? text : text.Substring(0, 300) + "...";
    }
}
