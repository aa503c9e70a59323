using System.Linq;
using TSheets.Auth.Common;

namespace TSheets.Auth.OAuth
{
    /// <summary>What a token must look like to go into an HTTP header: a plain RFC 6750 token.</summary>
    internal static class TokenRules
    {
        public const int MaxLength = 4096;

        /// <summary>
        /// Visible ASCII only, at most <see cref="MaxLength"/> characters: no white space, CR/LF,
        /// control or non-ASCII character (usually a paste gone wrong, or a header injection).
        /// </summary>
        public static bool IsPlainToken(string? text) =>
            !string.IsNullOrEmpty(text) && text!.Length <= MaxLength && text.All(c => c > ' ' && c <= '~');

        /// <summary>Throws <c>InvalidToken</c> unless <paramref name="text"/> is a plain token.</summary>
        public static void Require(string? text, string what, object? target)
        {
            if (!IsPlainToken(text))
            {
                throw new TSheetsAuthException(
                    ErrorIds.InvalidToken,
                    $"The {what} is not a plain token (it is empty, too long, or holds white space, a line break, a control or a non-ASCII character; often a paste gone wrong), so nothing was stored or sent. Copy it again.",
                    target);
            }
        }
    }
}
