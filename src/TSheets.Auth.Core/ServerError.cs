using System;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TSheets.Auth
{
    /// <summary>
    /// TSheets' error bodies, in any of their shapes: OAuth (<c>{"error":"invalid_grant",
    /// "error_description":".."}</c>), API (<c>{"error":{"code":417,"message":".."}}</c>), plain text
    /// or an HTML page. The text kept is short and scrubbed of secrets.
    /// </summary>
    public sealed class ServerError
    {
        private const int MaxTextLength = 300;

        private ServerError(string code, string message)
        {
            Code = code;
            Message = message;
        }

        /// <summary>The OAuth <c>error</c>, or the API error's numeric code as text; null when absent.</summary>
        public string Code { get; }

        /// <summary>The human-readable part; null when the body says nothing useful.</summary>
        public string Message { get; }

        public static ServerError Parse(string body, string contentType = null)
        {
            if (string.IsNullOrWhiteSpace(body))
            {
                return new ServerError(null, null);
            }

            var trimmed = body.TrimStart();
            if (trimmed.StartsWith("{", StringComparison.Ordinal))
            {
                try
                {
                    using (var document = JsonDocument.Parse(body))
                    {
                        if (document.RootElement.ValueKind == JsonValueKind.Object
                            && document.RootElement.TryGetProperty("error", out var error))
                        {
                            if (error.ValueKind == JsonValueKind.String)
                            {
                                var description = document.RootElement.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String
                                    ? d.GetString()
                                    : null;
                                return new ServerError(Clean(error.GetString()), Clean(description));
                            }

                            if (error.ValueKind == JsonValueKind.Object)
                            {
                                var code = error.TryGetProperty("code", out var c) ? Clean(c.ToString()) : null;
                                var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                                return new ServerError(code, Clean(message));
                            }
                        }
                    }
                }
                catch (Exception ex) when (ex is JsonException || ex is ArgumentException)
                {
                    // Not JSON after all: fall through to plain text.
                }

                return new ServerError(null, Clean(body));
            }

            if (LooksLikeHtml(body, contentType))
            {
                var title = Regex.Match(body, "<title[^>]*>(.*?)</title>", RegexOptions.IgnoreCase | RegexOptions.Singleline);
                return new ServerError(null, title.Success ? "an HTML page titled '" + Clean(title.Groups[1].Value) + "'" : "an HTML page");
            }

            return new ServerError(null, Clean(body));
        }

        public static bool LooksLikeHtml(string body, string contentType)
        {
            if (contentType != null && contentType.IndexOf("html", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return true;
            }

            var start = (body ?? string.Empty).TrimStart();
            return start.StartsWith("<", StringComparison.Ordinal);
        }

        /// <summary>"code: message", "message" or "code"; null when neither is known.</summary>
        public override string ToString()
        {
            if (Code != null && Message != null)
            {
                return Code + ": " + Message;
            }

            return Message ?? Code;
        }

        private static string Clean(string text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            text = Regex.Replace(text.Trim(), @"\s+", " ");
            text = Regex.Replace(text, @"[\p{Cc}\p{Cf}]", string.Empty);
            if (text.Length > MaxTextLength)
            {
                text = text.Substring(0, MaxTextLength) + "...";
            }

            return Redactor.Scrub(text);
        }
    }
}
