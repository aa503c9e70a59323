using System.Security.Cryptography;

namespace TSheets.Emulator;

/// <summary>
/// Everything the emulator remembers. One lock guards it all: a handful of tests is the whole load, and a
/// single lock makes every rule hold under concurrent requests too (a code is redeemed once, a rotated
/// refresh token is used once, even when two callers race). The class is split by concern across the
/// EmulatorState.*.cs files; this part holds the config and the reset.
/// </summary>
internal sealed partial class EmulatorState(TimeProvider clock)
{
    private readonly Lock _gate = new();

    private EmulatorConfig _config = EmulatorConfig.Default;

    /// <summary>The emulator's clock; tests that need time to pass inject a fake TimeProvider.</summary>
    public DateTimeOffset Now => clock.GetUtcNow();

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

    /// <summary>Back to the state of a fresh start: no clients, tokens, faults or history, seeded timesheets, default config.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _clients.Clear();
            _codes.Clear();
            _accessTokens.Clear();
            _refreshTokens.Clear();
            _recentCalls.Clear();
            _faults.Clear();
            ClearHistoryLocked();
            _timesheets = SeedTimesheets.Create();
            _config = EmulatorConfig.Default;
        }
    }

    private static string NewHex(int length) => RandomNumberGenerator.GetHexString(length, lowercase: true);
}
