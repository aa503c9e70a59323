#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.OAuth;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// For CI runners: <c>$env:TSHEETS_ACCESS_TOKEN</c> (and optionally <c>TSHEETS_BASE_URI</c>)
    /// is the <c>default</c> connection when there is no other, used as a web-UI token: no refresh,
    /// no expiry known, never stored, never printed. Read at each lookup (a script may set it late).
    /// </summary>
    internal sealed class EnvironmentToken
    {
        public const string TokenVariable = "TSHEETS_ACCESS_TOKEN";
        public const string BaseUriVariable = "TSHEETS_BASE_URI";
        public const string ConnectionName = "default";

        private readonly Func<string, string> environment;

        public EnvironmentToken(Func<string, string> environment) => this.environment = environment ?? throw new ArgumentNullException(nameof(environment));

        public string Text() => environment(TokenVariable);

        /// <summary>The connection the environment holds for <paramref name="name"/>, or null.</summary>
        public Connection Find(string name)
        {
            var token = Text();
            if (string.IsNullOrEmpty(token) || !string.Equals(name, ConnectionName, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            TokenRules.Require(token, $"token in ${TokenVariable}", TokenVariable);
            var baseText = environment(BaseUriVariable);
            Uri baseUri = null;
            if (!string.IsNullOrWhiteSpace(baseText) && !Uri.TryCreate(baseText.Trim(), UriKind.Absolute, out baseUri))
            {
                throw new TSheetsAuthException(ErrorIds.InvalidBaseUri, $"${BaseUriVariable} is not an absolute URI.", BaseUriVariable);
            }

            return new Connection
            {
                Name = ConnectionName,
                AccessToken = SecureStrings.FromPlainText(token),
                BaseUri = UriRules.NormalizeBaseUri(baseUri),
            };
        }
    }
}
