using System.Globalization;

namespace TSheets.Emulator;

internal sealed partial class EmulatorState
{
    private readonly List<GrantRequestRecord> _grantRequests = [];
    private readonly List<ApiRequestRecord> _apiRequests = [];
    private readonly List<AuthorizeRequestRecord> _authorizations = [];

    // A list for the order they were handed out in, a set for the masking of recorded values.
    private readonly List<string> _secrets = [];
    private readonly HashSet<string> _secretSet = new(StringComparer.Ordinal);

    private int _codeGrants;
    private int _refreshGrants;
    private int _authorizeRequests;
    private int _grantArrivals;
    private int _apiArrivals;

    /// <summary>The form the stats write times in: ISO 8601, UTC, milliseconds.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A request to /grant has arrived (counted before any fault holds it, so a test can wait for it).</summary>
    public void CountGrantArrival()
    {
        lock (_gate)
        {
            _grantArrivals++;
        }
    }

    /// <summary>A request to an API endpoint has arrived (counted before any fault holds it, so a test can wait for a held call).</summary>
    public void CountApiArrival()
    {
        lock (_gate)
        {
            _apiArrivals++;
        }
    }

    public void RecordGrantRequest(GrantRequestRecord record)
    {
        lock (_gate)
        {
            _grantRequests.Add(record);
        }
    }

    public void RecordApiRequest(ApiRequestRecord record)
    {
        lock (_gate)
        {
            _apiRequests.Add(record);
        }
    }

    public void RecordAuthorizeRequest(AuthorizeRequestRecord record)
    {
        lock (_gate)
        {
            _authorizeRequests++;
            _authorizations.Add(record);
        }
    }

    public EmulatorStats GetStats()
    {
        lock (_gate)
        {
            return new EmulatorStats(
                new GrantCounts(_codeGrants, _refreshGrants, _grantRequests.Count),
                _grantRequests.ToArray(),
                _apiRequests.ToArray(),
                _authorizeRequests,
                _authorizations.ToArray(),
                _grantArrivals,
                _apiArrivals);
        }
    }

    /// <summary>Every secret ever handed out or registered, for tests that scan output for leaks.</summary>
    public IReadOnlyList<string> GetSecrets()
    {
        lock (_gate)
        {
            return _secrets.ToArray();
        }
    }

    /// <summary>True for a value the emulator handed out or had registered as a secret.</summary>
    public bool IsKnownSecret(string value)
    {
        lock (_gate)
        {
            return _secretSet.Contains(value);
        }
    }

    private void AddSecretLocked(string secret)
    {
        if (_secretSet.Add(secret))
        {
            _secrets.Add(secret);
        }
    }

    private void ClearHistoryLocked()
    {
        _grantRequests.Clear();
        _apiRequests.Clear();
        _authorizations.Clear();
        _secrets.Clear();
        _secretSet.Clear();
        _codeGrants = 0;
        _refreshGrants = 0;
        _authorizeRequests = 0;
        _grantArrivals = 0;
        _apiArrivals = 0;
    }
}
