using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security;
using System.Text.Json;

namespace TSheets.Auth
{
    /// <summary>A successful answer from <c>/grant</c>.</summary>
    public sealed class TokenGrant
    {
        /// <summary>No sane token lives longer than this; a bigger <c>expires_in</c> is a broken server.</summary>
        internal static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(3660);

        public SecureString AccessToken { get; internal set; }

        /// <summary>Null when the answer carried none (then the old one stays in use).</summary>
        public SecureString RefreshToken { get; internal set; }

        public TimeSpan? ExpiresIn { get; internal set; }

        public string UserId { get; internal set; }

        public string CompanyId { get; internal set; }

        public string ClientUrl { get; internal set; }

        /// <summary>
        /// Reads a <c>/grant</c> answer, or throws the error ID that says what went wrong:
        /// <c>InvalidClient</c>, <c>GrantFailed</c> (with TSheets' <c>error</c> and
        /// <c>error_description</c>), <c>IpBlocked</c>, <c>RateLimited</c>,
        /// <c>ServiceUnavailable</c> or <c>InvalidServerResponse</c>.
        /// </summary>
        public static TokenGrant Parse(HttpResult result, object target, IEnumerable<string> secrets = null)
        {
            var status = result.StatusCode;
            if (status >= 200 && status <= 299)
            {
                return ParseSuccess(result, target, secrets);
            }

            var error = ServerError.Parse(Redactor.Scrub(result.Body, secrets), result.ContentType);
            var said = error.ToString() ?? "no explanation";
            string id;
            string message;
            if (error.Code == "invalid_client" || (status == 401 && error.Code == null))
            {
                id = ErrorIds.InvalidClient;
                message = $"TSheets rejected the client ID or client secret (HTTP {status}: {said}). Check both in QuickBooks Time under Feature Add-ons > API.";
            }
            else if (status == 499)
            {
                id = ErrorIds.IpBlocked;
                message = $"TSheets refused the request from this address (HTTP 499): the company's IP restrictions block it. Ask an administrator to allow this address. ({said})";
            }
            else if (status == 429)
            {
                id = ErrorIds.RateLimited;
                message = $"TSheets is rate-limiting this client (HTTP 429: {said}). Wait a few minutes and try again.";
            }
            else if (status >= 500)
            {
                id = ErrorIds.ServiceUnavailable;
                message = $"TSheets could not answer (HTTP {status}: {said}). Try again later.";
            }
            else if (status >= 400 && !ServerError.LooksLikeHtml(result.Body, result.ContentType))
            {
                id = ErrorIds.GrantFailed;
                message = $"TSheets refused the grant (HTTP {status}): {said}.";
            }
            else
            {
                id = ErrorIds.InvalidServerResponse;
                message = $"The token endpoint answered HTTP {status} with {Describe(result)}, not a TSheets answer. A proxy or captive portal may be in the way.";
            }

            return Throw(id, message, target, status, error.Code);
        }

        private static TokenGrant ParseSuccess(HttpResult result, object target, IEnumerable<string> secrets)
        {
            if (string.IsNullOrWhiteSpace(result.Body) || ServerError.LooksLikeHtml(result.Body, result.ContentType))
            {
                return Throw(ErrorIds.InvalidServerResponse, $"The token endpoint answered HTTP {result.StatusCode} with {Describe(result)} instead of a token. A proxy or captive portal may be in the way.", target, result.StatusCode);
            }

            try
            {
                using (var document = JsonDocument.Parse(result.Body))
                {
                    var root = document.RootElement;
                    if (root.ValueKind != JsonValueKind.Object)
                    {
                        return Invalid($"a JSON {root.ValueKind.ToString().ToLowerInvariant()} instead of an object", target, result.StatusCode);
                    }

                    var grant = new TokenGrant
                    {
                        AccessToken = SecureStrings.FromPlainText(TokenText(root, "access_token", required: true, target, result.StatusCode)),
                        RefreshToken = SecureStrings.FromPlainText(TokenText(root, "refresh_token", required: false, target, result.StatusCode)),
                        ExpiresIn = Lifetime(root, target, result.StatusCode),
                        UserId = Id(root, "user_id", target, result.StatusCode),
                        CompanyId = Id(root, "company_id", target, result.StatusCode),
                        ClientUrl = Id(root, "client_url", target, result.StatusCode),
                    };

                    if (root.TryGetProperty("token_type", out var type) && type.ValueKind != JsonValueKind.Null
                        && !(type.ValueKind == JsonValueKind.String && string.Equals(type.GetString(), "bearer", StringComparison.OrdinalIgnoreCase)))
                    {
                        return Invalid("a token type other than 'bearer'", target, result.StatusCode);
                    }

                    return grant;
                }
            }
            catch (Exception ex) when (ex is JsonException || ex is ArgumentException)
            {
                // ArgumentException: text that cannot be UTF-8 (a lone surrogate).
                throw new TSheetsAuthException(ErrorIds.InvalidServerResponse, "The token endpoint's answer is not valid JSON.", target, ex) { StatusCode = result.StatusCode };
            }
        }

        private static string TokenText(JsonElement root, string name, bool required, object target, int status)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (required)
                {
                    Invalid($"no '{name}'", target, status);
                }

                return null;
            }

            var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            // A token goes into an HTTP header: only visible ASCII is acceptable.
            if (string.IsNullOrEmpty(text) || text.Length > 4096 || text.Any(c => c <= ' ' || c > '~'))
            {
                if (!required && text == string.Empty)
                {
                    return null;
                }

                Invalid($"a '{name}' that is not a token", target, status);
            }

            return text;
        }

        private static TimeSpan? Lifetime(JsonElement root, object target, int status)
        {
            if (!root.TryGetProperty("expires_in", out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            double seconds;
            if (value.ValueKind == JsonValueKind.Number)
            {
                seconds = value.GetDouble();
            }
            else if (value.ValueKind != JsonValueKind.String
                || !double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out seconds))
            {
                Invalid("an 'expires_in' that is not a number", target, status);
                return null;
            }

            if (double.IsNaN(seconds) || seconds <= 0 || seconds > MaxLifetime.TotalSeconds)
            {
                Invalid($"an 'expires_in' of {seconds.ToString(CultureInfo.InvariantCulture)} seconds", target, status);
            }

            return TimeSpan.FromSeconds(seconds);
        }

        private static string Id(JsonElement root, string name, object target, int status)
        {
            if (!root.TryGetProperty(name, out var value))
            {
                return null;
            }

            switch (value.ValueKind)
            {
                case JsonValueKind.Null:
                    return null;
                case JsonValueKind.String:
                    return value.GetString().Length <= 256 ? value.GetString() : Invalid<string>($"an overlong '{name}'", target, status);
                case JsonValueKind.Number:
                    return value.GetRawText();
                default:
                    return Invalid<string>($"a '{name}' of type {value.ValueKind.ToString().ToLowerInvariant()}", target, status);
            }
        }

        private static string Describe(HttpResult result)
        {
            if (string.IsNullOrWhiteSpace(result.Body))
            {
                return "an empty body";
            }

            return ServerError.LooksLikeHtml(result.Body, result.ContentType) ? ServerError.Parse(result.Body, result.ContentType).Message : $"a '{result.ContentType ?? "untyped"}' body";
        }

        private static TokenGrant Invalid(string what, object target, int status) => Invalid<TokenGrant>(what, target, status);

        private static T Invalid<T>(string what, object target, int status) =>
            throw new TSheetsAuthException(ErrorIds.InvalidServerResponse, $"The token endpoint answered with {what}; this is not a TSheets token answer.", target) { StatusCode = status };

        private static TokenGrant Throw(string id, string message, object target, int status, string serverError = null) =>
            throw new TSheetsAuthException(id, message, target) { StatusCode = status, ServerError = serverError };
    }
}
