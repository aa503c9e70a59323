namespace TSheets.Emulator;

/// <summary>One request that reached /api/v1/grant, whatever its method or outcome.</summary>
/// <param name="Status">The status answered, or <see cref="RequestRecordingMiddleware.NoAnswerStatus"/> when the connection was dropped.</param>
internal sealed record GrantRequestRecord(
    string Method,
    string? GrantType,
    string? ClientId,
    bool HasBearer,
    string? ContentType,
    IReadOnlyDictionary<string, string> Form,
    int Status);

/// <summary>One request to an API endpoint (anything under /api/v1 but /grant and /authorize).</summary>
internal sealed record ApiRequestRecord(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Query,
    int Status,
    bool HasBearer,
    string? ManagedClientId);

/// <summary>Successful grants of each kind; <see cref="Total"/> counts every request to /grant.</summary>
internal sealed record GrantCounts(int AuthorizationCode, int RefreshToken, int Total);

internal sealed record EmulatorStats(
    GrantCounts Grants,
    IReadOnlyList<GrantRequestRecord> GrantRequests,
    IReadOnlyList<ApiRequestRecord> ApiRequests,
    int AuthorizeRequests);
