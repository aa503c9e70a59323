using System;
using System.Linq;
using TSheets.Auth.Common;
using TSheets.Auth.Http;

namespace TSheets.Auth.OAuth
{
    /// <summary>
    /// What the server sent back to the redirect URI (step 1's answer), from a pasted address or a
    /// callback the listener received; and the checks that come before any code is exchanged.
    /// </summary>
    internal sealed class AuthorizationResponse
    {
        /// <summary>Codes are about 46 characters; anything far longer is not a TSheets code.</summary>
        internal const int MaxCodeLength = 2048;

        private const int MaxErrorLength = 300;

        private AuthorizationResponse()
        {
        }

        /// <summary>The <c>code</c> values found (normally exactly one).</summary>
        public string[] Codes { get; private set; } = Array.Empty<string>();

        /// <summary>The <c>state</c> values found (normally exactly one).</summary>
        public string[] States { get; private set; } = Array.Empty<string>();

        /// <summary>The <c>error</c>, as it may be shown: one line, no control characters, scrubbed, clipped.</summary>
        public string? Error { get; private set; }

        public string? ErrorDescription { get; private set; }

        /// <summary>Reads the query of a redirect target (<c>?code=..&amp;state=..</c>).</summary>
        public static AuthorizationResponse FromQuery(string? query)
        {
            var pairs = PercentEncoding.ParseQuery(query);
            string[] All(string name) => pairs.Where(p => p.Key == name).Select(p => p.Value).ToArray();
            string? Shown(string name) => Text.FromServer(All(name).FirstOrDefault(), MaxErrorLength, All("code"));
            return new AuthorizationResponse
            {
                Codes = All("code"),
                States = All("state"),
                Error = Shown("error"),
                ErrorDescription = Shown("error_description"),
            };
        }

        /// <summary>
        /// Reads an address the user's browser was redirected to, after checking that it is the
        /// app's redirect URI (same scheme, host, port and path), which was validated where it entered.
        /// </summary>
        public static AuthorizationResponse FromRedirectedUrl(Uri? redirectedUrl, Uri redirectUri)
        {
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
        /// The code, once the answer is known to belong to this request: exactly one <c>state</c>,
        /// matching (constant time), no <c>error</c>, exactly one plausible code. Otherwise the
        /// matching error. A repeated <c>code</c> or <c>state</c> is refused: which one is real?
        /// </summary>
        public string GetCheckedCode(string? expectedState, object? target)
        {
            var stateMatches = States.Length == 1 && ConstantTime.Equals(States[0], expectedState);
            if (States.Length > 0 && !stateMatches)
            {
                throw StateMismatch(target);
            }

            if (Error != null)
            {
                var description = ErrorDescription == null ? string.Empty : $" ({ErrorDescription})";
                throw new TSheetsAuthException(ErrorIds.AuthorizationDenied, $"The server did not authorize the app: {Error}{description}.", target) { ServerError = Error };
            }

            if (!stateMatches)
            {
                throw StateMismatch(target);
            }

            if (Codes.Length == 0 || string.IsNullOrEmpty(Codes[0]))
            {
                throw new TSheetsAuthException(
                    ErrorIds.InvalidRedirectUri,
                    "The redirected address has no authorization code. Paste the whole address the browser was sent to after you approved.",
                    target);
            }

            if (Codes.Length > 1)
            {
                throw new TSheetsAuthException(
                    ErrorIds.InvalidRedirectUri,
                    "The redirected address carries more than one code, so it is not a plain answer from the server: nothing was sent. Start the sign-in again.",
                    target);
            }

            var code = Codes[0];
            if (code.Length > MaxCodeLength || code.Any(c => c <= ' ' || c > '~'))
            {
                throw new TSheetsAuthException(ErrorIds.InvalidRedirectUri, "The redirected address carries a code that is not an authorization code.", target);
            }

            return code;
        }

        private static TSheetsAuthException StateMismatch(object? target) =>
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
    }
}
