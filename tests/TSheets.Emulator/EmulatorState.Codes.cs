namespace TSheets.Emulator;

/// <summary>What a call to /grant comes to: tokens, or an OAuth error for a 400 answer.</summary>
internal sealed record GrantOutcome(IssuedTokens? Tokens, OAuthError? Error)
{
    public static GrantOutcome Success(IssuedTokens tokens) => new(tokens, null);

    public static GrantOutcome Failure(string error, string description) => new(null, new OAuthError(error, description));

    public static GrantOutcome Failure(OAuthError error) => new(null, error);
}

internal sealed partial class EmulatorState
{
    private const string CodePrefix = "S.19__";

    private readonly Dictionary<string, PendingCode> _codes = new(StringComparer.Ordinal);

    public string IssueCode(string clientId, string redirectUri, PkceChallenge? pkce = null)
    {
        string code = CodePrefix + NewHex(40);
        lock (_gate)
        {
            _codes[code] = new PendingCode(clientId, redirectUri, Now.AddSeconds(_config.CodeTtlSeconds), pkce);
            AddSecretLocked(code);
        }

        return code;
    }

    /// <summary>
    /// The checks of bshaffer's AuthorizationCode grant, in its order. Only a successful exchange uses the code
    /// up, so a client may retry after a failure of its own making; an expired code is dropped.
    /// </summary>
    public GrantOutcome RedeemCode(string code, string clientId, string? redirectUri, string? codeVerifier)
    {
        lock (_gate)
        {
            if (!_codes.TryGetValue(code, out var pending))
            {
                return GrantOutcome.Failure(OAuthErrors.InvalidGrant, "Authorization code doesn't exist or is invalid for the client");
            }

            if (_config.CodesDieOnAnyAttempt)
            {
                _codes.Remove(code);
            }

            if (!string.Equals(pending.RedirectUri, redirectUri, StringComparison.Ordinal))
            {
                return GrantOutcome.Failure(OAuthErrors.RedirectUriMismatch, "The redirect URI is missing or do not match");
            }

            if (Now >= pending.ExpiresAt)
            {
                _codes.Remove(code);
                return GrantOutcome.Failure(OAuthErrors.InvalidGrant, "The authorization code has expired");
            }

            if (pending.Pkce is { } challenge
                && Pkce.Verify(challenge, codeVerifier, _config.PkceLibraryErrorCodes) is { } pkceError)
            {
                return GrantOutcome.Failure(pkceError);
            }

            // bshaffer's TokenController words this one with the grant type's name, lower case.
            if (!string.Equals(pending.ClientId, clientId, StringComparison.Ordinal))
            {
                return GrantOutcome.Failure(OAuthErrors.InvalidGrant, "authorization_code doesn't exist or is invalid for the client");
            }

            _codes.Remove(code);
            _codeGrants++;
            return GrantOutcome.Success(IssueTokensLocked(clientId, _config.AccessTtlSeconds, refreshable: true, limited: false));
        }
    }

    private sealed record PendingCode(string ClientId, string RedirectUri, DateTimeOffset ExpiresAt, PkceChallenge? Pkce);
}
