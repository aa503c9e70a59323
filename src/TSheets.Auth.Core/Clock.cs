using System;

namespace TSheets.Auth
{
    /// <summary>
    /// The time, injected so refresh policy is testable. (System.TimeProvider would need an extra
    /// DLL on netstandard2.0; this one member is all Core needs.)
    /// </summary>
    public interface IClock
    {
        DateTimeOffset UtcNow { get; }
    }

    public sealed class SystemClock : IClock
    {
        public static readonly SystemClock Instance = new SystemClock();

        public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;
    }
}
