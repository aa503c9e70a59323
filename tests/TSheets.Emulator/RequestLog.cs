namespace TSheets.Emulator;

/// <summary>One request that reached /api/v1/grant, whatever its method or outcome.</summary>
/// <param name="ClientId">From the HTTP Basic header when there is one, else from the form.</param>
/// <param name="HasBearer">An <c>Authorization: Bearer</c> header was sent (the official example's habit).</param>
/// <param name="Form">Field names as sent; the values of secrets (client_secret, code, refresh_token...) are masked, see <see cref="SecretMask"/>.</param>
/// <param name="Status">The status answered, or <see cref="RequestRecordingMiddleware.NoAnswerStatus"/> when the connection was dropped.</param>
/// <param name="At">When the request arrived, on the emulator's clock (ISO 8601, milliseconds, UTC).</param>
/// <param name="ClientAuth">How the client authenticated: basic (an HTTP Basic header), post (client_id in the form) or none.</param>
/// <param name="AuthorizationScheme">The Authorization header's scheme (Basic, Bearer...), never its value; null without one.</param>
internal sealed record GrantRequestRecord(
    string Method,
    string? GrantType,
    string? ClientId,
    bool HasBearer,
    string? ContentType,
    IReadOnlyDictionary<string, string> Form,
    int Status,
    string At,
    string ClientAuth,
    bool HasAuthorization,
    string? AuthorizationScheme);

/// <summary>One request to an API endpoint (anything under /api/v1 but /grant and /authorize).</summary>
/// <param name="At">When the request arrived, on the emulator's clock: the instant the rate limit counted it at.</param>
internal sealed record ApiRequestRecord(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Query,
    int Status,
    bool HasBearer,
    string? ManagedClientId,
    string At);

/// <summary>One authorization request: a login page opened (source page) or a browserless one (source control).</summary>
/// <param name="Scope">Accepted and ignored, as TSheets has no scopes; recorded so a test can see what was sent.</param>
internal sealed record AuthorizeRequestRecord(
    string At,
    string Source,
    string? ClientId,
    string? ResponseType,
    string? RedirectUri,
    bool HasState,
    string? Scope,
    bool HasCodeChallenge,
    string? CodeChallengeMethod,
    string? DisplayMode);

/// <summary>Successful grants of each kind; <see cref="Total"/> counts every request to /grant.</summary>
internal sealed record GrantCounts(int AuthorizationCode, int RefreshToken, int Total);

/// <param name="AuthorizeRequests">How many authorization requests were made; <paramref name="Authorizations"/> has their details.</param>
/// <param name="ApiArrivals">API requests that arrived, answered or not yet (a held one counts at once).</param>
internal sealed record EmulatorStats(
    GrantCounts Grants,
    IReadOnlyList<GrantRequestRecord> GrantRequests,
    IReadOnlyList<ApiRequestRecord> ApiRequests,
    int AuthorizeRequests,
    IReadOnlyList<AuthorizeRequestRecord> Authorizations,
    int GrantArrivals,
    int ApiArrivals);
