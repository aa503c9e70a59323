using System.Security.Cryptography;
using System.Text;

namespace TSheets.Emulator;

/// <summary>A client application as registered in the TSheets web UI: one redirect URI each.</summary>
internal sealed record RegisteredClient(string ClientId, string ClientSecret, string RedirectUri);

/// <summary>A freshly issued access token, with its refresh token when one was issued.</summary>
internal sealed record IssuedTokens(string AccessToken, string? RefreshToken, int ExpiresIn);

/// <summary>What a call to /grant comes to: tokens, or an OAuth error for a 400 answer.</summary>
internal sealed record GrantOutcome(IssuedTokens? Tokens, OAuthError? Error)
{
    public static GrantOutcome Success(IssuedTokens tokens) => new(tokens, null);

    public static GrantOutcome Failure(string error, string description) => new(null, new OAuthError(error, description));
}

internal enum ApiAccess
{
    Granted,
    Unauthorized,
    RateLimited,
}

/// <summary>
/// Everything the emulator remembers. One lock guards it all: a handful of tests is the whole load, and a
/// single lock makes every rule hold under concurrent requests too (a code is redeemed once, a rotated
/// refresh token is used once, even when two callers race).
/// </summary>
internal sealed class EmulatorState(TimeProvider clock)
{
    private const string CodePrefix = "S.19__";
    private const string AccessTokenPrefix = "S.7__";

    private readonly Lock _gate = new();

    private readonly Dictionary<string, RegisteredClient> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingCode> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _accessTokenExpiry = new(StringComparer.Ordinal);

    // Value: the client the refresh token was issued to; null for a token minted without one, which any client may refresh.
    private readonly Dictionary<string, string?> _refreshTokenOwners = new(StringComparer.Ordinal);

    // The times of the calls each access token made within the current rate-limit window, oldest first.
    private readonly Dictionary<string, Queue<DateTimeOffset>> _recentCalls = new(StringComparer.Ordinal);

    private readonly List<ScheduledFault> _faults = [];
    private readonly List<GrantRequestRecord> _grantRequests = [];
    private readonly List<ApiRequestRecord> _apiRequests = [];
    private readonly List<string> _secrets = [];

    private EmulatorConfig _config = EmulatorConfig.Default;
    private int _codeGrants;
    private int _refreshGrants;
    private int _authorizeRequests;

    private DateTimeOffset Now => clock.GetUtcNow();

    public EmulatorConfig Config
    {
        get
        {
            lock (_gate)
            {
                return _config;
            }
        }
    }

    public EmulatorConfig ChangeConfig(ConfigChange change)
    {
        lock (_gate)
        {
            _config = change.ApplyTo(_config);
            return _config;
        }
    }

    /// <summary>Back to the state of a fresh start: no clients, tokens, faults or history, default config.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _clients.Clear();
            _codes.Clear();
            _accessTokenExpiry.Clear();
            _refreshTokenOwners.Clear();
            _recentCalls.Clear();
            _faults.Clear();
            _grantRequests.Clear();
            _apiRequests.Clear();
            _secrets.Clear();
            _config = EmulatorConfig.Default;
            _codeGrants = 0;
            _refreshGrants = 0;
            _authorizeRequests = 0;
        }
    }

    // ---- Clients ----

    /// <summary>Registers a client, or replaces the one with the same id.</summary>
    public RegisteredClient RegisterClient(string? clientId, string? clientSecret, string redirectUri)
    {
        var client = new RegisteredClient(
            clientId ?? "emu-" + NewHex(16),
            clientSecret ?? NewHex(40),
            redirectUri);
        lock (_gate)
        {
            _clients[client.ClientId] = client;
            _secrets.Add(client.ClientSecret);
        }

        return client;
    }

    public RegisteredClient? FindClient(string clientId)
    {
        lock (_gate)
        {
            return _clients.GetValueOrDefault(clientId);
        }
    }

    public bool AuthenticateClient(string clientId, string clientSecret) =>
        FindClient(clientId) is { } client
        && CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(client.ClientSecret),
            Encoding.UTF8.GetBytes(clientSecret));

    // ---- Authorization codes and tokens ----

    public string IssueCode(string clientId, string redirectUri)
    {
        string code = CodePrefix + NewHex(40);
        lock (_gate)
        {
            _codes[code] = new PendingCode(clientId, redirectUri, Now.AddSeconds(_config.CodeTtlSeconds));
            _secrets.Add(code);
        }

        return code;
    }

    public GrantOutcome RedeemCode(string code, string clientId, string redirectUri)
    {
        lock (_gate)
        {
            // Removed before any check: a code is good for one exchange attempt, whatever that attempt's outcome.
            if (!_codes.Remove(code, out var pending))
            {
                return GrantOutcome.Failure(OAuthErrors.InvalidGrant, "The authorization code is invalid");
            }

            if (!string.Equals(pending.ClientId, clientId, StringComparison.Ordinal))
            {
                return GrantOutcome.Failure(OAuthErrors.InvalidGrant, "The authorization code was issued to another client");
            }

            if (!string.Equals(pending.RedirectUri, redirectUri, StringComparison.Ordinal))
            {
                return GrantOutcome.Failure(
                    OAuthErrors.RedirectUriMismatch,
                    "The redirect_uri does not match the one of the authorization request");
            }

            if (Now >= pending.ExpiresAt)
            {
                return GrantOutcome.Failure(OAuthErrors.InvalidGrant, "The authorization code has expired");
            }

            _codeGrants++;
            return GrantOutcome.Success(IssueTokensLocked(clientId, _config.AccessTtlSeconds, refreshable: true));
        }
    }

    public GrantOutcome Refresh(string refreshToken, string clientId)
    {
        lock (_gate)
        {
            if (!_refreshTokenOwners.TryGetValue(refreshToken, out string? owner))
            {
                return GrantOutcome.Failure(OAuthErrors.InvalidGrant, "The refresh token is invalid");
            }

            if (owner is not null && !string.Equals(owner, clientId, StringComparison.Ordinal))
            {
                return GrantOutcome.Failure(OAuthErrors.InvalidGrant, "The refresh token was issued to another client");
            }

            _refreshGrants++;
            int lifetime = _config.AccessTtlSeconds;
            if (_config.OmitRefreshTokenOnRefresh)
            {
                // The answer carries no refresh token, so the old one must stay usable.
                return GrantOutcome.Success(IssueTokensLocked(clientId, lifetime, refreshable: false));
            }

            // Rotation: the old refresh token dies now; the old access token lives on until its own expiry.
            _refreshTokenOwners.Remove(refreshToken);
            return GrantOutcome.Success(IssueTokensLocked(clientId, lifetime, refreshable: true));
        }
    }

    /// <summary>Issues tokens without the OAuth flow, as the web UI's "Add Token" does (refreshable: false).</summary>
    public IssuedTokens MintTokens(string? clientId, int expiresIn, bool refreshable)
    {
        lock (_gate)
        {
            return IssueTokensLocked(clientId, expiresIn, refreshable);
        }
    }

    /// <returns>false when the access token was never issued.</returns>
    public bool ExpireAccessToken(string accessToken)
    {
        lock (_gate)
        {
            if (!_accessTokenExpiry.ContainsKey(accessToken))
            {
                return false;
            }

            _accessTokenExpiry[accessToken] = Now;
            return true;
        }
    }

    /// <summary>Checks a bearer token for an API call and, when it is valid, counts the call against its rate limit.</summary>
    public ApiAccess AdmitApiCall(string? accessToken)
    {
        lock (_gate)
        {
            DateTimeOffset now = Now;
            if (accessToken is null
                || !_accessTokenExpiry.TryGetValue(accessToken, out var expiresAt)
                || now >= expiresAt)
            {
                return ApiAccess.Unauthorized;
            }

            if (!_recentCalls.TryGetValue(accessToken, out var calls))
            {
                calls = new Queue<DateTimeOffset>();
                _recentCalls[accessToken] = calls;
            }

            DateTimeOffset windowStart = now.AddSeconds(-_config.RateLimitWindowSeconds);
            while (calls.Count > 0 && calls.Peek() <= windowStart)
            {
                calls.Dequeue();
            }

            // A refused call is not counted, so the caller is free again once the window has passed.
            if (calls.Count >= _config.RateLimitCount)
            {
                return ApiAccess.RateLimited;
            }

            calls.Enqueue(now);
            return ApiAccess.Granted;
        }
    }

    private IssuedTokens IssueTokensLocked(string? clientId, int expiresIn, bool refreshable)
    {
        string accessToken = AccessTokenPrefix + NewHex(40);
        _accessTokenExpiry[accessToken] = Now.AddSeconds(expiresIn);
        _secrets.Add(accessToken);

        string? refreshToken = null;
        if (refreshable)
        {
            refreshToken = NewHex(40);
            _refreshTokenOwners[refreshToken] = clientId;
            _secrets.Add(refreshToken);
        }

        return new IssuedTokens(accessToken, refreshToken, expiresIn);
    }

    // ---- Faults ----

    public void AddFault(FaultDefinition fault)
    {
        lock (_gate)
        {
            _faults.Add(new ScheduledFault(fault, fault.Times));
        }
    }

    /// <returns>How many faults were removed.</returns>
    public int ClearFaults()
    {
        lock (_gate)
        {
            int count = _faults.Count;
            _faults.Clear();
            return count;
        }
    }

    /// <summary>Uses up one use of the oldest fault that matches the request, if any.</summary>
    public FaultDefinition? TakeFault(string method, string path)
    {
        lock (_gate)
        {
            ScheduledFault? match = _faults.FirstOrDefault(fault => fault.Matches(method, path));
            if (match is null)
            {
                return null;
            }

            if (--match.RemainingUses == 0)
            {
                _faults.Remove(match);
            }

            return match.Definition;
        }
    }

    // ---- History ----

    public void RecordGrantRequest(GrantRequestRecord record)
    {
        lock (_gate)
        {
            _grantRequests.Add(record);
        }
    }

    public void RecordApiRequest(ApiRequestRecord record)
    {
        lock (_gate)
        {
            _apiRequests.Add(record);
        }
    }

    public void RecordAuthorizeRequest()
    {
        lock (_gate)
        {
            _authorizeRequests++;
        }
    }

    public EmulatorStats GetStats()
    {
        lock (_gate)
        {
            return new EmulatorStats(
                new GrantCounts(_codeGrants, _refreshGrants, _grantRequests.Count),
                _grantRequests.ToArray(),
                _apiRequests.ToArray(),
                _authorizeRequests);
        }
    }

    /// <summary>Every secret ever handed out or registered, for tests that scan output for leaks.</summary>
    public IReadOnlyList<string> GetSecrets()
    {
        lock (_gate)
        {
            return _secrets.Distinct(StringComparer.Ordinal).ToArray();
        }
    }

    private static string NewHex(int length) => RandomNumberGenerator.GetHexString(length, lowercase: true);

    private sealed record PendingCode(string ClientId, string RedirectUri, DateTimeOffset ExpiresAt);

    private sealed class ScheduledFault(FaultDefinition definition, int uses)
    {
        public FaultDefinition Definition { get; } = definition;

        public int RemainingUses { get; set; } = uses;

        public bool Matches(string method, string path) =>
            string.Equals(Definition.Path, path, StringComparison.OrdinalIgnoreCase)
            && (Definition.Method is null || string.Equals(Definition.Method, method, StringComparison.OrdinalIgnoreCase));
    }
}
