namespace TSheets.Emulator;

internal enum ApiAccess
{
    Granted,
    Unauthorized,
    RateLimited,
}

/// <param name="Limited">For a granted call: the token's user lacks the permissions most endpoints need.</param>
internal sealed record ApiAdmission(ApiAccess Access, bool Limited = false);

internal sealed partial class EmulatorState
{
    // Per access token ("token:...") or per client at /grant ("grant:..."): the times of the calls counted in the
    // current window. Kept in arrival order, which is time order for one sequential caller.
    private readonly Dictionary<string, List<DateTimeOffset>> _recentCalls = new(StringComparer.Ordinal);

    /// <summary>Checks a bearer token for an API call and, when it is valid, counts the call against its rate limit.</summary>
    /// <param name="receivedAt">When the request arrived: the instant the stats record, so a test's window check agrees with ours.</param>
    public ApiAdmission AdmitApiCall(string? accessToken, DateTimeOffset receivedAt)
    {
        lock (_gate)
        {
            if (FindLiveAccessTokenLocked(accessToken) is not { } token)
            {
                return new ApiAdmission(ApiAccess.Unauthorized);
            }

            return CountCallLocked("token:" + accessToken, receivedAt)
                ? new ApiAdmission(ApiAccess.Granted, token.Limited)
                : new ApiAdmission(ApiAccess.RateLimited);
        }
    }

    /// <returns>false when the client has used up /grant's window (only with config rate_limit_grant).</returns>
    public bool AdmitGrantCall(string clientId, DateTimeOffset receivedAt)
    {
        lock (_gate)
        {
            return !_config.RateLimitGrant || CountCallLocked("grant:" + clientId, receivedAt);
        }
    }

    /// <returns>true when the call is within the limit ("300 calls in any 5 minutes").</returns>
    private bool CountCallLocked(string key, DateTimeOffset at)
    {
        if (!_recentCalls.TryGetValue(key, out var calls))
        {
            calls = [];
            _recentCalls[key] = calls;
        }

        DateTimeOffset windowStart = at.AddSeconds(-_config.RateLimitWindowSeconds);
        calls.RemoveAll(time => time <= windowStart);
        bool admitted = calls.Count < _config.RateLimitCount;

        // Counting refusals too means a caller that hammers on stays blocked; without, it is free once the window passes.
        if (admitted || _config.RateLimitCountsRefused)
        {
            calls.Add(at);
        }

        return admitted;
    }
}
