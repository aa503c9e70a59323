using System.Net;
using System.Text;

namespace TSheets.Emulator;

/// <summary>How a request to /grant identifies its client (RFC 6749 §2.3): an HTTP Basic header, or form fields.</summary>
/// <param name="Mechanism">basic, post or none: what the stats record as client_auth.</param>
/// <param name="Scheme">The Authorization header's scheme as sent (Basic, Bearer...); null without the header.</param>
/// <param name="BasicMalformed">A Basic header whose credentials cannot be decoded.</param>
/// <param name="BodyClientId">client_id of the form, whatever the header says.</param>
/// <param name="BodyHasSecret">The form carries a non-empty client_secret.</param>
internal sealed record ClientAuthentication(
    string Mechanism,
    string? ClientId,
    string? ClientSecret,
    string? Scheme,
    bool BasicMalformed,
    string? BodyClientId,
    bool BodyHasSecret)
{
    public const string Basic = "basic";
    public const string Post = "post";
    public const string None = "none";

    public const string OneMechanismOnly = "client authentication must only be provided using one mechanism";

    public bool IsBasic => Mechanism == Basic;

    /// <summary>Another Authorization scheme than Basic (such as Bearer): no client authentication, but a second mechanism all the same.</summary>
    public bool HasOtherScheme => Scheme is not null && !Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public static ClientAuthentication Read(HttpRequest request, IReadOnlyDictionary<string, string> form)
    {
        string? bodyClientId = NonEmpty(form.GetValueOrDefault("client_id"));
        string? bodySecret = NonEmpty(form.GetValueOrDefault("client_secret"));
        string? header = request.Headers.Authorization;
        string? scheme = null;
        if (!string.IsNullOrWhiteSpace(header))
        {
            string trimmed = header.Trim();
            int space = trimmed.IndexOf(' ', StringComparison.Ordinal);
            scheme = space < 0 ? trimmed : trimmed[..space];
            if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
            {
                string parameter = space < 0 ? "" : trimmed[(space + 1)..].Trim();
                return TryDecodeBasic(parameter, out string? id, out string? secret)
                    ? new ClientAuthentication(Basic, id, secret, scheme, false, bodyClientId, bodySecret is not null)
                    : new ClientAuthentication(Basic, null, null, scheme, true, bodyClientId, bodySecret is not null);
            }
        }

        return bodyClientId is not null || bodySecret is not null
            ? new ClientAuthentication(Post, bodyClientId, bodySecret, scheme, false, bodyClientId, bodySecret is not null)
            : new ClientAuthentication(None, null, null, scheme, false, null, false);
    }

    /// <summary>The refusals of a standards-strict server that sees the client authenticated more than one way.</summary>
    /// <returns>The invalid_request description, or null when the request uses one mechanism.</returns>
    public string? FindMixedMechanisms()
    {
        if (IsBasic && BodyHasSecret)
        {
            return OneMechanismOnly;
        }

        if (HasOtherScheme && (BodyClientId is not null || BodyHasSecret))
        {
            return OneMechanismOnly;
        }

        if (IsBasic && !BasicMalformed && BodyClientId is not null && !string.Equals(BodyClientId, ClientId, StringComparison.Ordinal))
        {
            return "client_id in the body does not match the client of the HTTP Basic credentials";
        }

        return null;
    }

    /// <summary>
    /// RFC 6749 §2.3.1: id and secret are each form-urlencoded before they are joined with ':' and base64-encoded,
    /// so a ':' or a non-ASCII character in either survives the trip.
    /// </summary>
    private static bool TryDecodeBasic(string parameter, out string? clientId, out string? clientSecret)
    {
        clientId = null;
        clientSecret = null;
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(parameter);
        }
        catch (FormatException)
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        int colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        clientId = WebUtility.UrlDecode(decoded[..colon]);
        clientSecret = NonEmpty(WebUtility.UrlDecode(decoded[(colon + 1)..]));
        return true;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
