using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using TSheets.Auth.Common;
using TSheets.Auth.Http;

namespace TSheets.Auth.Api
{
    /// <summary>
    /// Turns a user's <c>-Path</c> into an address under the connection's base URI, or refuses it.
    /// The check runs after the path is resolved as a server would resolve it (percent-encoded
    /// dots decoded, backslashes taken as slashes, dot segments removed), and once more on the
    /// final <see cref="Uri"/>: a bearer token is never sent anywhere but under the base URI.
    /// </summary>
    internal static class ApiPath
    {
        public static Uri Build(Uri baseUri, string path, IEnumerable<KeyValuePair<string, string>> query)
        {
            var text = (path ?? string.Empty).Trim();
            var questionMark = text.IndexOf('?');
            var pathPart = questionMark < 0 ? text : text.Substring(0, questionMark);
            var queryPart = questionMark < 0 ? string.Empty : text.Substring(questionMark + 1);
            var segments = Resolve(pathPart, text, baseUri);

            var builder = new StringBuilder(queryPart);
            foreach (var pair in query ?? Enumerable.Empty<KeyValuePair<string, string>>())
            {
                builder.Append(builder.Length > 0 ? "&" : string.Empty)
                    .Append(PercentEncoding.Encode(pair.Key)).Append('=').Append(PercentEncoding.Encode(pair.Value));
            }

            var address = UriRules.Combine(baseUri, string.Join("/", segments)).AbsoluteUri;
            var uri = new Uri(builder.Length == 0 ? address : address + "?" + builder, UriKind.Absolute);
            if (!IsUnder(uri, baseUri))
            {
                throw Outside(text, baseUri);
            }

            return uri;
        }

        /// <summary>True when <paramref name="uri"/> is an address under <paramref name="baseUri"/>: same scheme, host and port, and below its path.</summary>
        public static bool IsUnder(Uri uri, Uri baseUri) =>
            string.Equals(uri.GetLeftPart(UriPartial.Authority), baseUri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase)
            && uri.AbsolutePath.StartsWith(baseUri.AbsolutePath.TrimEnd('/') + "/", StringComparison.Ordinal);

        /// <summary>The path's segments after resolution, or <c>InvalidPath</c> when it is empty, absolute, or climbs out.</summary>
        private static List<string> Resolve(string pathPart, string whole, Uri baseUri)
        {
            var normalized = pathPart.Replace('\\', '/');
            if (normalized.Trim('/').Length == 0
                || whole.Contains("://") || normalized.StartsWith("//", StringComparison.Ordinal)
                || whole.Any(c => c < ' ' || c == 0x7f || c == '#')
                || normalized.IndexOf("%2f", StringComparison.OrdinalIgnoreCase) >= 0
                || normalized.IndexOf("%5c", StringComparison.OrdinalIgnoreCase) >= 0
                || normalized.IndexOf("%00", StringComparison.OrdinalIgnoreCase) >= 0
                || normalized.Split('/')[0].Contains(":"))
            {
                throw Outside(whole, baseUri);
            }

            var segments = new List<string>();
            foreach (var raw in normalized.Split('/'))
            {
                var segment = raw.Replace("%2e", ".").Replace("%2E", ".");
                if (segment.Length == 0 || segment == ".")
                {
                    continue;
                }

                if (segment == "..")
                {
                    if (segments.Count == 0)
                    {
                        throw Outside(whole, baseUri);
                    }

                    segments.RemoveAt(segments.Count - 1);
                    continue;
                }

                segments.Add(raw);
            }

            if (segments.Count == 0)
            {
                throw Outside(whole, baseUri);
            }

            return segments;
        }

        private static TSheetsAuthException Outside(string path, Uri baseUri)
        {
            var shown = Text.Clip(Text.OneLine(Redactor.ScrubOutside(path)) ?? string.Empty, 200);
            return new TSheetsAuthException(
                ErrorIds.InvalidPath,
                $"The path '{shown}' must stay under the connection's base URI ({baseUri}), like 'current_user' or 'timesheets': tokens are sent to that address only, so nothing was sent.",
                shown);
        }
    }
}
