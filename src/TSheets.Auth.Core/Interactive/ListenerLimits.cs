using System;

namespace TSheets.Auth.Interactive
{
    /// <summary>Bounds on what the redirect listener accepts from any client.</summary>
    internal sealed class ListenerLimits
    {
        /// <summary>Request line and headers together; a browser's callback is a few hundred bytes.</summary>
        public int MaxRequestHeadBytes { get; set; } = 16 * 1024;

        /// <summary>How long a client may take to send its request head.</summary>
        public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>Connections handled at once; more push out the oldest.</summary>
        public int MaxConnections { get; set; } = 64;
    }
}
