namespace TSheets.ConformanceServer;

/// <summary>
/// What the tests steer (the next consent decision) and what they read back (what reached the OAuth endpoints).
/// OpenIddict's own state (clients, codes, tokens) lives in its stores, not here.
/// </summary>
internal sealed class ConformanceState
{
    private readonly Lock _lock = new();
    private readonly List<EndpointRequestRecord> _tokenRequests = [];
    private readonly List<EndpointRequestRecord> _revocationRequests = [];
    private int _authorizeRequests;
    private bool _denyNext;

    /// <summary>Makes the next authorization request that reaches the consent step end with access_denied.</summary>
    public void SetDecision(bool denyNext)
    {
        lock (_lock)
        {
            _denyNext = denyNext;
        }
    }

    public bool DenyPending
    {
        get
        {
            lock (_lock)
            {
                return _denyNext;
            }
        }
    }

    /// <summary>True once, for the request that consumes a pending "deny"; consent is automatic again after it.</summary>
    public bool TakeDeny()
    {
        lock (_lock)
        {
            bool deny = _denyNext;
            _denyNext = false;
            return deny;
        }
    }

    public void RecordAuthorizeRequest()
    {
        lock (_lock)
        {
            _authorizeRequests++;
        }
    }

    public void RecordTokenRequest(EndpointRequestRecord record)
    {
        lock (_lock)
        {
            _tokenRequests.Add(record);
        }
    }

    public void RecordRevocationRequest(EndpointRequestRecord record)
    {
        lock (_lock)
        {
            _revocationRequests.Add(record);
        }
    }

    public Stats GetStats()
    {
        lock (_lock)
        {
            return new Stats(
                AuthorizeRequests: _authorizeRequests,
                TokenRequests: _tokenRequests.Count,
                CodeExchanges: _tokenRequests.Count(r => r is { GrantType: "authorization_code", Status: 200 }),
                Refreshes: _tokenRequests.Count(r => r is { GrantType: "refresh_token", Status: 200 }),
                RevocationRequests: _revocationRequests.Count,
                DenyPending: _denyNext,
                TokenEndpointRequests: [.. _tokenRequests],
                RevocationEndpointRequests: [.. _revocationRequests]);
        }
    }

    /// <summary>Forgets the counts and any pending "deny". Clients and issued tokens stay.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _tokenRequests.Clear();
            _revocationRequests.Clear();
            _authorizeRequests = 0;
            _denyNext = false;
        }
    }
}

/// <summary>
/// One request to the token or revocation endpoint: how the client authenticated (never the credentials themselves)
/// and what OpenIddict answered.
/// </summary>
internal sealed record EndpointRequestRecord(
    string Method,
    string? GrantType,
    string? TokenTypeHint,
    string? ClientIdInBody,
    bool ClientSecretInBody,
    bool BasicAuthorization,
    string? AuthorizationScheme,
    string? ContentType,
    int Status,
    string? Error,
    string? ErrorDescription);

internal sealed record Stats(
    int AuthorizeRequests,
    int TokenRequests,
    int CodeExchanges,
    int Refreshes,
    int RevocationRequests,
    bool DenyPending,
    IReadOnlyList<EndpointRequestRecord> TokenEndpointRequests,
    IReadOnlyList<EndpointRequestRecord> RevocationEndpointRequests);
