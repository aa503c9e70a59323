using System;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth.Common
{
    /// <summary>
    /// Time and waiting, injected so refresh policy, pacing and back-off are testable without
    /// sleeping. (System.TimeProvider would need an extra DLL on netstandard2.0.)
    /// </summary>
    internal interface IClock
    {
        DateTimeOffset UtcNow { get; }

        Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken);
    }

    internal sealed class SystemClock : IClock
    {
        public static readonly SystemClock Instance = new SystemClock();

        public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;

        public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
            delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, cancellationToken);
    }
}
