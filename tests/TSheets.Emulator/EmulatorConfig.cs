namespace TSheets.Emulator;

/// <summary>
/// The knobs tests turn to reach behaviour the real service shows rarely or only after a long wait.
/// The defaults are the real service's documented or observed values.
/// </summary>
internal sealed record EmulatorConfig(
    int CodeTtlSeconds = 30,
    int AccessTtlSeconds = 864000,
    bool OmitRefreshTokenOnRefresh = false,
    bool NumericIds = false,
    int RateLimitCount = 300,
    int RateLimitWindowSeconds = 300)
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
    int? RateLimitWindowSeconds = null)
{
    /// <returns>Why the change cannot be applied, or null when it can.</returns>
    public string? FindProblem() =>
        CodeTtlSeconds < 0 ? "code_ttl_seconds must be 0 or more"
        : AccessTtlSeconds < 0 ? "access_ttl_seconds must be 0 or more"
        : RateLimitCount < 0 ? "rate_limit_count must be 0 or more"
        : RateLimitWindowSeconds < 1 ? "rate_limit_window_seconds must be 1 or more"
        : null;

    public EmulatorConfig ApplyTo(EmulatorConfig config) => config with
    {
        CodeTtlSeconds = CodeTtlSeconds ?? config.CodeTtlSeconds,
        AccessTtlSeconds = AccessTtlSeconds ?? config.AccessTtlSeconds,
        OmitRefreshTokenOnRefresh = OmitRefreshTokenOnRefresh ?? config.OmitRefreshTokenOnRefresh,
        NumericIds = NumericIds ?? config.NumericIds,
        RateLimitCount = RateLimitCount ?? config.RateLimitCount,
        RateLimitWindowSeconds = RateLimitWindowSeconds ?? config.RateLimitWindowSeconds,
    };
}
