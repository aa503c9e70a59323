using System;

namespace TSheets.Auth
{
    /// <summary>
    /// Where a secret may be sent: https anywhere, http only to a loopback host (tests, the
    /// emulator, the redirect listener). Checked before any request leaves the process.
    /// </summary>
    public static class UriRules
    {
        public static readonly Uri DefaultBaseUri = new Uri("https://rest.tsheets.com/api/v1");

        /// <summary>True for <c>localhost</c>, <c>127.0.0.0/8</c> and <c>::1</c>.</summary>
        public static bool IsLoopback(Uri uri) => uri != null && uri.IsAbsoluteUri && uri.IsLoopback;

        /// <summary>The base URI without a trailing slash, or <see cref="ErrorIds.InvalidBaseUri"/>.</summary>
        public static Uri NormalizeBaseUri(Uri baseUri)
        {
            if (baseUri == null)
            {
                return DefaultBaseUri;
            }

            string problem = null;
            if (!baseUri.IsAbsoluteUri)
            {
                problem = "it is not an absolute URI";
            }
            else if (baseUri.Scheme != Uri.UriSchemeHttps && baseUri.Scheme != Uri.UriSchemeHttp)
            {
                problem = $"its scheme is '{baseUri.Scheme}'";
            }
            else if (baseUri.Scheme == Uri.UriSchemeHttp && !baseUri.IsLoopback)
            {
                problem = "plain http is allowed only to a loopback host (localhost, 127.0.0.1, ::1)";
            }
            else if (!string.IsNullOrEmpty(baseUri.Query) || !string.IsNullOrEmpty(baseUri.Fragment) || !string.IsNullOrEmpty(baseUri.UserInfo))
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

            var text = baseUri.GetLeftPart(UriPartial.Path).TrimEnd('/');
            return new Uri(text, UriKind.Absolute);
        }

        /// <summary>The redirect URI as given, or <see cref="ErrorIds.InvalidRedirectUri"/>.</summary>
        public static Uri ValidateRedirectUri(Uri redirectUri)
        {
            string problem = null;
            if (redirectUri == null)
            {
                problem = "it is empty";
            }
            else if (!redirectUri.IsAbsoluteUri)
            {
                problem = "it is not an absolute URI";
            }
            else if (redirectUri.Scheme != Uri.UriSchemeHttps && redirectUri.Scheme != Uri.UriSchemeHttp)
            {
                problem = $"its scheme is '{redirectUri.Scheme}'; TSheets redirects to https (or http on a loopback host)";
            }
            else if (redirectUri.Scheme == Uri.UriSchemeHttp && !redirectUri.IsLoopback)
            {
                problem = "plain http is allowed only to a loopback host (localhost, 127.0.0.1, [::1])";
            }
            else if (!string.IsNullOrEmpty(redirectUri.Fragment))
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

            return redirectUri;
        }

        /// <summary>The exact text to send as <c>redirect_uri</c>: TSheets compares it byte for byte with the registered one.</summary>
        public static string WireText(Uri redirectUri) => redirectUri.OriginalString.Trim();

        /// <summary><c>{base}/{relative}</c>, for an already normalized base URI.</summary>
        public static Uri Combine(Uri baseUri, string relative) =>
            new Uri(baseUri.AbsoluteUri.TrimEnd('/') + "/" + relative.TrimStart('/'), UriKind.Absolute);

        /// <summary>A URI for a message: without query or fragment, which may hold a code.</summary>
        public static string Describe(Uri uri)
        {
            if (uri == null)
            {
                return "(null)";
            }

            if (!uri.IsAbsoluteUri)
            {
                var text = uri.OriginalString;
                var cut = text.IndexOfAny(new[] { '?', '#' });
                return Redactor.Scrub(cut >= 0 ? text.Substring(0, cut) : text);
            }

            return uri.GetLeftPart(UriPartial.Path);
        }
    }
}
