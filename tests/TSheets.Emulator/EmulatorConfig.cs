namespace TSheets.Emulator;

/// <summary>
/// The knobs tests turn to reach behaviour the real service shows rarely or only after a long wait, or that
/// is only inferred (bshaffer's library defaults, guesses). The defaults are the real service's documented
/// or observed values; each switch that departs from them brings back an older or less likely behaviour.
/// </summary>
/// <param name="InvalidClientStatus">bshaffer answers invalid_client with 400; 401 is what RFC 6749 allows for Basic.</param>
/// <param name="CodesDieOnAnyAttempt">The emulator's old rule: a failed exchange also uses the code up.</param>
/// <param name="RefreshTtlSeconds">bshaffer's default is 14 days; 0 means refresh tokens never expire.</param>
/// <param name="EmptyCollectionsAsObjects">Answer an empty collection as {} instead of PHP's [].</param>
/// <param name="ShortPageSize">When above 0, no list page holds more items than this, whatever limit asked.</param>
/// <param name="CompanyInClientId">The token answer names the company client_id (the docs' prose) instead of company_id.</param>
/// <param name="RateLimitCountsRefused">A refused (429) call counts against the window too, so a caller that keeps calling stays blocked.</param>
/// <param name="RateLimitGrant">Also limit /grant, per client_id, with the same numbers (a guess).</param>
/// <param name="RequirePkce">bshaffer's enforce_pkce: an authorization request without code_challenge is refused.</param>
/// <param name="PkceLibraryErrorCodes">Answer PKCE failures with bshaffer's own error codes (code_verifier_missing...) instead of invalid_grant.</param>
/// <param name="StrictClientAuth">Refuse a /grant request that authenticates the client more than one way (RFC 6749 §2.3).</param>
/// <param name="RejectUnknownManagedClient">A managed-client header naming no managed company gets 401 (a guess); false ignores it.</param>
internal sealed record EmulatorConfig(
    int CodeTtlSeconds = 30,
    int AccessTtlSeconds = 864000,
    bool OmitRefreshTokenOnRefresh = false,
    bool NumericIds = false,
    int RateLimitCount = 300,
    int RateLimitWindowSeconds = 300,
    int InvalidClientStatus = 400,
    bool CodesDieOnAnyAttempt = false,
    int RefreshTtlSeconds = 1209600,
    bool EmptyCollectionsAsObjects = false,
    int ShortPageSize = 0,
    bool CompanyInClientId = false,
    bool RateLimitCountsRefused = true,
    bool RateLimitGrant = false,
    bool RequirePkce = false,
    bool PkceLibraryErrorCodes = false,
    bool StrictClientAuth = true,
    bool RejectUnknownManagedClient = true)
{
    public static EmulatorConfig Default { get; } = new();
}

/// <summary>The body of POST /_emulator/config: any subset of <see cref="EmulatorConfig"/>.</summary>
internal sealed record ConfigChange(
    int? CodeTtlSeconds = null,
    int? AccessTtlSeconds = null,
    bool? OmitRefreshTokenOnRefresh = null,
    bool? NumericIds = null,
    int? RateLimitCount = null,
    int? RateLimitWindowSeconds = null,
    int? InvalidClientStatus = null,
    bool? CodesDieOnAnyAttempt = null,
    int? RefreshTtlSeconds = null,
    bool? EmptyCollectionsAsObjects = null,
    int? ShortPageSize = null,
    bool? CompanyInClientId = null,
    bool? RateLimitCountsRefused = null,
    bool? RateLimitGrant = null,
    bool? RequirePkce = null,
    bool? PkceLibraryErrorCodes = null,
    bool? StrictClientAuth = null,
    bool? RejectUnknownManagedClient = null)
{
    /// <returns>Why the change cannot be applied, or null when it can.</returns>
    public string? FindProblem() =>
        CodeTtlSeconds < 0 ? "code_ttl_seconds must be 0 or more"
        : AccessTtlSeconds < 0 ? "access_ttl_seconds must be 0 or more"
        : RateLimitCount < 0 ? "rate_limit_count must be 0 or more"
        : RateLimitWindowSeconds < 1 ? "rate_limit_window_seconds must be 1 or more"
        : InvalidClientStatus is < 400 or > 499 ? "invalid_client_status must be from 400 to 499"
        : RefreshTtlSeconds < 0 ? "refresh_ttl_seconds must be 0 (never expire) or more"
        : ShortPageSize is < 0 or > 200 ? "short_page_size must be from 0 (off) to 200"
        : null;

    public EmulatorConfig ApplyTo(EmulatorConfig config) => config with
    {
        CodeTtlSeconds = CodeTtlSeconds ?? config.CodeTtlSeconds,
        AccessTtlSeconds = AccessTtlSeconds ?? config.AccessTtlSeconds,
        OmitRefreshTokenOnRefresh = OmitRefreshTokenOnRefresh ?? config.OmitRefreshTokenOnRefresh,
        NumericIds = NumericIds ?? config.NumericIds,
        RateLimitCount = RateLimitCount ?? config.RateLimitCount,
        RateLimitWindowSeconds = RateLimitWindowSeconds ?? config.RateLimitWindowSeconds,
        InvalidClientStatus = InvalidClientStatus ?? config.InvalidClientStatus,
        CodesDieOnAnyAttempt = CodesDieOnAnyAttempt ?? config.CodesDieOnAnyAttempt,
        RefreshTtlSeconds = RefreshTtlSeconds ?? config.RefreshTtlSeconds,
        EmptyCollectionsAsObjects = EmptyCollectionsAsObjects ?? config.EmptyCollectionsAsObjects,
        ShortPageSize = ShortPageSize ?? config.ShortPageSize,
        CompanyInClientId = CompanyInClientId ?? config.CompanyInClientId,
        RateLimitCountsRefused = RateLimitCountsRefused ?? config.RateLimitCountsRefused,
        RateLimitGrant = RateLimitGrant ?? config.RateLimitGrant,
        RequirePkce = RequirePkce ?? config.RequirePkce,
        PkceLibraryErrorCodes = PkceLibraryErrorCodes ?? config.PkceLibraryErrorCodes,
        StrictClientAuth = StrictClientAuth ?? config.StrictClientAuth,
        RejectUnknownManagedClient = RejectUnknownManagedClient ?? config.RejectUnknownManagedClient,
    };
}
