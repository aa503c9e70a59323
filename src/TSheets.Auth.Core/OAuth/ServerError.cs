using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.RegularExpressions;
using TSheets.Auth.Common;

namespace TSheets.Auth.OAuth
{
    /// <summary>
    /// A server's error body, in any of TSheets' shapes: OAuth (<c>{"error":"invalid_grant",
    /// "error_description":".."}</c>), API (<c>{"error":{"code":417,"message":".."}}</c>), plain text
    /// or an HTML page. The text kept is scrubbed of the secrets in play before it is shortened,
    /// and holds no control character.
    /// </summary>
    internal sealed class ServerError
    {
        private const int MaxTextLength = 300;

        private ServerError(string? code, string? message)
        {
            Code = code;
            Message = message;
        }

        /// <summary>The OAuth <c>error</c>, or the API error's numeric code as text; null when absent.</summary>
        public string? Code { get; }

        /// <summary>The human-readable part; null when the body says nothing useful.</summary>
        public string? Message { get; }

        public static ServerError Parse(string? body, string? contentType = null, IEnumerable<string?>? secrets = null)
        {
            if (string.IsNullOrWhiteSpace(body))
            {
                return new ServerError(null, null);
            }

            string? Clean(string? text) => Text.FromServer(text, MaxTextLength, secrets);
            if (body!.TrimStart().StartsWith("{", StringComparison.Ordinal))
            {
                try
                {
                    using (var document = JsonDocument.Parse(body))
                    {
                        var root = document.RootElement;
                        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
                        {
                            if (error.ValueKind == JsonValueKind.String)
                            {
                                var description = root.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
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
                    // Not JSON after all: plain text.
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

        public static bool LooksLikeHtml(string? body, string? contentType)
        {
            if (contentType != null && contentType.IndexOf("html", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return true;
            }

            return (body ?? string.Empty).TrimStart().StartsWith("<", StringComparison.Ordinal);
        }

        /// <summary>What a non-answer is, for a message: "an empty body", "an HTML page titled ..", "a 'text/plain' body".</summary>
        public static string Describe(string? body, string? contentType, IEnumerable<string?>? secrets = null)
        {
            if (string.IsNullOrWhiteSpace(body))
            {
                return "an empty body";
            }

            return LooksLikeHtml(body, contentType) ? Parse(body, contentType, secrets).Message ?? "an HTML page" : $"a '{Text.FromServer(contentType, 100) ?? "untyped"}' body";
        }

        /// <summary>"code: message", "message" or "code"; null when neither is known.</summary>
        public override string? ToString()
        {
            if (Code != null && Message != null)
            {
                return Code + ": " + Message;
            }

            return Message ?? Code;
        }
    }
}
