using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security;
using System.Text.Json;
using TSheets.Auth.Common;
using TSheets.Auth.Http;

namespace TSheets.Auth.OAuth
{
    /// <summary>A successful answer from <c>/grant</c>.</summary>
    internal sealed class TokenGrant
    {
        /// <summary>No sane token lives longer than this; a bigger <c>expires_in</c> is a broken server.</summary>
        internal static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(3660);

        private const int MaxIdLength = 256;

        public SecureString AccessToken { get; private set; } = new SecureString();

        /// <summary>Null when the answer carried none (then the old one stays in use).</summary>
        public SecureString? RefreshToken { get; private set; }

        public TimeSpan? ExpiresIn { get; private set; }

        public string? UserId { get; private set; }

        public string? CompanyId { get; private set; }

        public string? ClientUrl { get; private set; }

        /// <summary>
        /// Reads a <c>/grant</c> answer, or throws the error ID that says what went wrong
        /// (see <see cref="StatusErrors"/>). <paramref name="oauthClientId"/> keeps a
        /// <c>client_id</c> echo of the app's own ID from being taken for the company.
        /// </summary>
        public static TokenGrant Parse(HttpResult result, object? target, IEnumerable<string?>? secrets, string? oauthClientId)
        {
            var status = result.StatusCode;
            if (status >= 200 && status <= 299)
            {
                return ParseSuccess(result, target, secrets, oauthClientId);
            }

            var html = ServerError.LooksLikeHtml(result.Body, result.ContentType);
            var error = ServerError.Parse(result.Body, result.ContentType, secrets);
            var said = error.ToString() ?? "no explanation";
            var id = StatusErrors.IdFor(status, error.Code, tokenEndpoint: true, html);
            string message;
            switch (id)
            {
                case ErrorIds.InvalidClient:
                    message = $"The token endpoint rejected the app's client authentication (HTTP {status}: {said}). Check the client ID and secret (QuickBooks Time, Feature Add-ons > API) and -ClientAuthentication (Post sends them in the form body, Basic in an HTTP Basic header; the server may accept only one).";
                    break;
                case ErrorIds.IpBlocked:
                    message = $"TSheets refused the request from this address (HTTP 499): the company's IP restrictions block it. Ask an administrator to allow this address. ({said})";
                    break;
                case ErrorIds.RateLimited:
                    message = $"TSheets is rate-limiting this client (HTTP 429: {said}). Wait a few minutes and try again.";
                    break;
                case ErrorIds.ServiceUnavailable:
                    message = $"TSheets could not answer (HTTP {status}: {said}). Try again later.";
                    break;
                case ErrorIds.GrantFailed:
                    message = $"TSheets refused the grant (HTTP {status}): {said}.";
                    break;
                default:
                    message = $"The token endpoint answered HTTP {status} with {ServerError.Describe(result.Body, result.ContentType, secrets)}, not a TSheets answer. A proxy or captive portal may be in the way.";
                    break;
            }

            throw new TSheetsAuthException(id, message, target) { StatusCode = status, ServerError = error.Code };
        }

        private static TokenGrant ParseSuccess(HttpResult result, object? target, IEnumerable<string?>? secrets, string? oauthClientId)
        {
            if (string.IsNullOrWhiteSpace(result.Body) || ServerError.LooksLikeHtml(result.Body, result.ContentType))
            {
                throw Invalid($"{ServerError.Describe(result.Body, result.ContentType, secrets)} instead of a token. A proxy or captive portal may be in the way", target, result.StatusCode);
            }

            try
            {
                using (var document = JsonDocument.Parse(result.Body))
                {
                    var root = document.RootElement;
                    if (root.ValueKind != JsonValueKind.Object)
                    {
                        throw Invalid($"a JSON {root.ValueKind.ToString().ToLowerInvariant()} instead of an object", target, result.StatusCode);
                    }

                    var status = result.StatusCode;
                    var companyId = Id(root, "company_id", target, status);
                    if (companyId == null)
                    {
                        // The docs' prose names the company 'client_id'; never take the app's own ID for it.
                        var echoed = Id(root, "client_id", target, status);
                        companyId = echoed != null && !string.Equals(echoed, oauthClientId, StringComparison.Ordinal) ? echoed : null;
                    }

                    var grant = new TokenGrant
                    {
                        AccessToken = SecureStrings.FromPlainText(TokenText(root, "access_token", required: true, target, status))!,
                        RefreshToken = SecureStrings.FromPlainText(TokenText(root, "refresh_token", required: false, target, status)),
                        ExpiresIn = Lifetime(root, target, status),
                        UserId = Id(root, "user_id", target, status),
                        CompanyId = companyId,
                        ClientUrl = Id(root, "client_url", target, status),
                    };

                    if (root.TryGetProperty("token_type", out var type) && type.ValueKind != JsonValueKind.Null
                        && !(type.ValueKind == JsonValueKind.String && string.Equals(type.GetString(), "bearer", StringComparison.OrdinalIgnoreCase)))
                    {
                        throw Invalid("a token type other than 'bearer'", target, status);
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

        private static string? TokenText(JsonElement root, string name, bool required, object? target, int status)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (required)
                {
                    throw Invalid($"no '{name}'", target, status);
                }

                return null;
            }

            var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            if (!required && text == string.Empty)
            {
                return null;
            }

            if (!TokenRules.IsPlainToken(text))
            {
                throw Invalid($"a '{name}' that is not a token", target, status);
            }

            return text;
        }

        private static TimeSpan? Lifetime(JsonElement root, object? target, int status)
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
                throw Invalid("an 'expires_in' that is not a number", target, status);
            }

            if (double.IsNaN(seconds) || seconds <= 0 || seconds > MaxLifetime.TotalSeconds)
            {
                throw Invalid($"an 'expires_in' of {seconds.ToString(CultureInfo.InvariantCulture)} seconds", target, status);
            }

            return TimeSpan.FromSeconds(seconds);
        }

        /// <summary>An ID for display: a string or number, without control characters (it reaches the host).</summary>
        private static string? Id(JsonElement root, string name, object? target, int status)
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
                    var text = value.GetString()!;
                    if (text.Length > MaxIdLength)
                    {
                        throw Invalid($"an overlong '{name}'", target, status);
                    }

                    return Text.OneLine(text);
                case JsonValueKind.Number:
                    return value.GetRawText();
                default:
                    throw Invalid($"a '{name}' of type {value.ValueKind.ToString().ToLowerInvariant()}", target, status);
            }
        }

        private static TSheetsAuthException Invalid(string what, object? target, int status) =>
            new TSheetsAuthException(ErrorIds.InvalidServerResponse, $"The token endpoint answered with {what}; this is not a TSheets token answer.", target) { StatusCode = status };
    }
}
