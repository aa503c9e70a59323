using System;
using System.Linq;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.OAuth;

namespace TSheets.Auth.Interactive
{
    /// <summary>
    /// What a person pasted back at the paste-back prompt, judged: the code, or what was wrong with
    /// a paste that is worth asking for again (empty, not an address, another address, a partial
    /// copy). What must end the sign-in still ends it: a denial, another sign-in's state, a code or
    /// state given twice.
    /// </summary>
    internal static class PastedAddress
    {
        /// <summary>How many pastes a sign-in takes before it gives up (each bad one is said, and asked for again).</summary>
        public const int MaxTries = 3;

        /// <summary>The code, or null with <paramref name="problem"/> (ask again); throws for what must end the sign-in.</summary>
        public static string? TryCode(string pasted, Uri redirectUri, string expectedState, string name, out string? problem)
        {
            var text = pasted.Trim();
            if (text.Length == 0)
            {
                problem = "Nothing was pasted.";
                return null;
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttps && address.Scheme != Uri.UriSchemeHttp))
            {
                problem = $"That is not an address. Copy the whole address from the browser's address bar: it starts with {redirectUri.Scheme}://.";
                return null;
            }

            AuthorizationResponse answer;
            try
            {
                answer = AuthorizationResponse.FromRedirectedUrl(address, redirectUri);
            }
            catch (TSheetsAuthException)
            {
                problem = $"That address is not the redirect URI {UriRules.Describe(redirectUri)}. Paste the address the browser was sent to after you allowed access.";
                return null;
            }

            // "...&state=" with nothing after it is a copy cut short, not another sign-in's state.
            if (answer.Error == null && answer.States.All(string.IsNullOrEmpty))
            {
                problem = "The address has no 'state': it looks like a partial copy. Copy the whole address, from its start to its very end.";
                return null;
            }

            if (answer.Error == null && answer.Codes.Length == 0 && answer.States.Length == 1 && ConstantTime.Equals(answer.States[0], expectedState))
            {
                problem = "The address has no code: it looks like a partial copy. Copy the whole address, from its start to its very end.";
                return null;
            }

            problem = null;
            return answer.GetCheckedCode(expectedState, name);
        }
    }
}
