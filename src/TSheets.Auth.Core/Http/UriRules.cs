using System;
using TSheets.Auth.Common;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// Where a secret may be sent: https anywhere, http only to a loopback host (tests, the
    /// emulator, the redirect listener). Checked before any request leaves the process.
    /// </summary>
    internal static class UriRules
    {
        public static readonly Uri DefaultBaseUri = new Uri("https://rest.tsheets.com/api/v1");

        private static readonly char[] QueryOrFragment = { '?', '#' };

        /// <summary>The base URI without a trailing slash, or <see cref="ErrorIds.InvalidBaseUri"/>.</summary>
        public static Uri NormalizeBaseUri(Uri? baseUri)
        {
            if (baseUri == null)
            {
                return DefaultBaseUri;
            }

            var problem = TransportProblem(baseUri);
            if (problem == null && (!string.IsNullOrEmpty(baseUri.Query) || !string.IsNullOrEmpty(baseUri.Fragment) || !string.IsNullOrEmpty(baseUri.UserInfo)))
            {
                problem = "it carries a query, fragment or user name";
            }

            if (problem != null)
            {
                throw new TSheetsAuthException(
                    ErrorIds.InvalidBaseUri,
                    $"The base URI '{Describe(baseUri)}' cannot be used: {problem}. Use https (the default is {DefaultBaseUri}).",
                    Describe(baseUri));
            }

            return new Uri(baseUri.GetLeftPart(UriPartial.Path).TrimEnd('/'), UriKind.Absolute);
        }

        /// <summary>The redirect URI as given, or <see cref="ErrorIds.InvalidRedirectUri"/>.</summary>
        public static Uri ValidateRedirectUri(Uri? redirectUri)
        {
            var problem = redirectUri == null ? "it is empty" : TransportProblem(redirectUri);
            if (problem == null && !string.IsNullOrEmpty(redirectUri!.Fragment))
            {
                problem = "it has a fragment";
            }

            if (problem != null)
            {
                throw new TSheetsAuthException(
                    ErrorIds.InvalidRedirectUri,
                    $"The redirect URI '{Describe(redirectUri)}' cannot be used: {problem}. Use the redirect URI registered for the app in QuickBooks Time.",
                    Describe(redirectUri));
            }

            return redirectUri!;
        }

        /// <summary>The exact text to send as <c>redirect_uri</c>: servers compare it byte for byte with the registered one.</summary>
        public static string WireText(Uri redirectUri) => redirectUri.OriginalString.Trim();

        /// <summary><c>{base}/{relative}</c>, for an already normalized base URI.</summary>
        public static Uri Combine(Uri baseUri, string relative) =>
            new Uri(baseUri.AbsoluteUri.TrimEnd('/') + "/" + relative.TrimStart('/'), UriKind.Absolute);

        /// <summary>A URI for a message: without query or fragment, which may hold a code, or a user name and password.</summary>
        public static string Describe(Uri? uri)
        {
            if (uri == null)
            {
                return "(null)";
            }

            if (!uri.IsAbsoluteUri)
            {
                var text = uri.OriginalString;
                var cut = text.IndexOfAny(QueryOrFragment);
                return Text.OneLine(Redactor.ScrubOutside(cut >= 0 ? text.Substring(0, cut) : text)) ?? string.Empty;
            }

            // The user's own input: a path may carry a token as well as a query would.
            return Redactor.ScrubOutside(uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)) ?? string.Empty;
        }

        /// <summary>The one loopback rule: why a secret may not travel to <paramref name="uri"/>, or null when it may.</summary>
        private static string? TransportProblem(Uri uri)
        {
            if (!uri.IsAbsoluteUri)
            {
                return "it is not an absolute URI";
            }

            if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            {
                return $"its scheme is '{uri.Scheme}'";
            }

            return uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback
                ? "plain http is allowed only to a loopback host (localhost, 127.0.0.1, [::1])"
                : null;
        }
    }
}
