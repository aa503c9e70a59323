using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace TSheets.Emulator;

/// <summary>The code challenge an authorization request carried (RFC 7636), kept with the code it produced.</summary>
internal sealed record PkceChallenge(string Challenge, string Method);

/// <summary>RFC 7636 checks, with bshaffer/oauth2-server-php's error texts.</summary>
internal static partial class Pkce
{
    public const string S256 = "S256";
    public const string Plain = "plain";

    public const string VerifierRequired = "The PKCE code verifier parameter is required.";
    public const string VerifierInvalid = "The PKCE code verifier parameter is invalid.";
    public const string VerifierMismatch = "The PKCE code verifier parameter does not match the code challenge.";
    public const string ChallengeRequired = "This application requires you provide a PKCE code challenge";
    public const string ChallengeInvalid = "The PKCE code challenge supplied is invalid";
    public const string MethodInvalid = "The PKCE code challenge method must be S256 or plain";

    /// <summary>43 to 128 unreserved characters: the form of a verifier, and so of a plain or S256 challenge too.</summary>
    public static bool IsWellFormed(string value) => UnreservedPattern().IsMatch(value);

    /// <param name="libraryErrorCodes">bshaffer's own codes (code_verifier_missing...) instead of RFC 7636's invalid_grant.</param>
    /// <returns>Why the verifier does not prove possession of the challenge, or null when it does.</returns>
    public static OAuthError? Verify(PkceChallenge challenge, string? verifier, bool libraryErrorCodes)
    {
        if (verifier is null)
        {
            return new OAuthError(libraryErrorCodes ? "code_verifier_missing" : OAuthErrors.InvalidGrant, VerifierRequired);
        }

        if (!IsWellFormed(verifier))
        {
            return new OAuthError(libraryErrorCodes ? "code_verifier_invalid" : OAuthErrors.InvalidGrant, VerifierInvalid);
        }

        string expected = challenge.Method == S256 ? Base64UrlSha256(verifier) : verifier;
        return string.Equals(expected, challenge.Challenge, StringComparison.Ordinal)
            ? null
            : new OAuthError(libraryErrorCodes ? "code_verifier_mismatch" : OAuthErrors.InvalidGrant, VerifierMismatch);
    }

    private static string Base64UrlSha256(string verifier) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)))
            .TrimEnd('=')
            .Replace('+', '-')
            .Replace('/', '_');

    [GeneratedRegex("^[A-Za-z0-9._~-]{43,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex UnreservedPattern();
}
