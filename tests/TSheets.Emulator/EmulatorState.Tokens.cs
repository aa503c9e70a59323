namespace TSheets.Emulator;

/// <summary>A freshly issued access token, with its refresh token when one was issued.</summary>
/// <param name="Limited">The user behind it has too few permissions for most endpoints (see ApiAccessFilter).</param>
internal sealed record IssuedTokens(string AccessToken, string? RefreshToken, int ExpiresIn, bool Limited);

internal sealed partial class EmulatorState
{
    private const string AccessTokenPrefix = "S.7__";

    private readonly Dictionary<string, AccessTokenInfo> _accessTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RefreshTokenInfo> _refreshTokens = new(StringComparer.Ordinal);

    /// <summary>The checks of bshaffer's RefreshToken grant, in its order.</summary>
    public GrantOutcome Refresh(string refreshToken, string clientId)
    {
        lock (_gate)
        {
            if (!_refreshTokens.TryGetValue(refreshToken, out var info))
            {
                return GrantOutcome.Failure(OAuthErrors.InvalidGrant, "Invalid refresh token");
            }

            if (info.ExpiresAt is { } expiresAt && Now >= expiresAt)
            {
                return GrantOutcome.Failure(OAuthErrors.InvalidGrant, "Refresh token has expired");
            }

            if (info.ClientId is not null && !string.Equals(info.ClientId, clientId, StringComparison.Ordinal))
            {
                return GrantOutcome.Failure(OAuthErrors.InvalidGrant, "refresh_token doesn't exist or is invalid for the client");
            }

            _refreshGrants++;
            int lifetime = _config.AccessTtlSeconds;
            if (_config.OmitRefreshTokenOnRefresh)
            {
                // The answer carries no refresh token, so the old one must stay usable.
                return GrantOutcome.Success(IssueTokensLocked(clientId, lifetime, refreshable: false, info.Limited));
            }

            // Rotation: the old refresh token dies now; the old access token lives on until its own expiry.
            _refreshTokens.Remove(refreshToken);
            return GrantOutcome.Success(IssueTokensLocked(clientId, lifetime, refreshable: true, info.Limited));
        }
    }

    /// <summary>Issues tokens without the OAuth flow, as the web UI's "Add Token" does (refreshable: false).</summary>
    public IssuedTokens MintTokens(string? clientId, int expiresIn, bool refreshable, bool limited)
    {
        lock (_gate)
        {
            return IssueTokensLocked(clientId, expiresIn, refreshable, limited);
        }
    }

    /// <returns>false when the access token was never issued.</returns>
    public bool ExpireAccessToken(string accessToken)
    {
        lock (_gate)
        {
            if (!_accessTokens.TryGetValue(accessToken, out var info))
            {
                return false;
            }

            _accessTokens[accessToken] = info with { ExpiresAt = Now };
            return true;
        }
    }

    /// <returns>false when the refresh token was never issued or is already spent.</returns>
    public bool ExpireRefreshToken(string refreshToken)
    {
        lock (_gate)
        {
            if (!_refreshTokens.TryGetValue(refreshToken, out var info))
            {
                return false;
            }

            _refreshTokens[refreshToken] = info with { ExpiresAt = Now };
            return true;
        }
    }

    /// <returns>What the access token may do, or null when it is unknown or expired.</returns>
    private AccessTokenInfo? FindLiveAccessTokenLocked(string? accessToken) =>
        accessToken is not null && _accessTokens.TryGetValue(accessToken, out var info) && Now < info.ExpiresAt
            ? info
            : null;

    private IssuedTokens IssueTokensLocked(string? clientId, int expiresIn, bool refreshable, bool limited)
    {
        DateTimeOffset now = Now;
        string accessToken = AccessTokenPrefix + NewHex(40);
        _accessTokens[accessToken] = new AccessTokenInfo(now.AddSeconds(expiresIn), limited);
        AddSecretLocked(accessToken);

        string? refreshToken = null;
        if (refreshable)
        {
            refreshToken = NewHex(40);
            int ttl = _config.RefreshTtlSeconds;
            _refreshTokens[refreshToken] = new RefreshTokenInfo(clientId, ttl > 0 ? now.AddSeconds(ttl) : null, limited);
            AddSecretLocked(refreshToken);
        }

        return new IssuedTokens(accessToken, refreshToken, expiresIn, limited);
    }

    private sealed record AccessTokenInfo(DateTimeOffset ExpiresAt, bool Limited);

    /// <param name="ClientId">The client the token was issued to; null for one minted without, which any client may refresh.</param>
    /// <param name="ExpiresAt">Null: never expires (refresh_ttl_seconds 0 when it was issued).</param>
    private sealed record RefreshTokenInfo(string? ClientId, DateTimeOffset? ExpiresAt, bool Limited);
}
