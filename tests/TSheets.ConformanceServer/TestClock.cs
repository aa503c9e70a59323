namespace TSheets.ConformanceServer;

/// <summary>
/// The server's clock: the real time plus an offset that only moves forward, through POST /_control/clock. OpenIddict
/// reads the <see cref="TimeProvider"/> in the container (OpenIddictCoreOptions/OpenIddictServerOptions.TimeProvider
/// default to it) when it stamps a code or token and when it judges one expired, so a test can have OpenIddict itself
/// find a code expired without waiting for its lifetime to pass.
/// </summary>
internal sealed class TestClock : TimeProvider
{
    private long offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    /// <summary>Moves the clock forward; time never runs backwards, so a code or token once expired stays so.</summary>
    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), "The clock only moves forward.");
        }

        Interlocked.Add(ref offsetTicks, by.Ticks);
    }
}
