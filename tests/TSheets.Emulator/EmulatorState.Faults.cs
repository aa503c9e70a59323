namespace TSheets.Emulator;

internal sealed partial class EmulatorState
{
    private readonly List<ScheduledFault> _faults = [];

    public void AddFault(FaultDefinition fault)
    {
        lock (_gate)
        {
            _faults.Add(new ScheduledFault(fault, fault.Times));
        }
    }

    /// <returns>How many faults were removed.</returns>
    public int ClearFaults()
    {
        lock (_gate)
        {
            int count = _faults.Count;
            _faults.Clear();
            return count;
        }
    }

    /// <summary>Uses up one use of the oldest fault that matches the request, if any.</summary>
    public FaultDefinition? TakeFault(string method, string path)
    {
        lock (_gate)
        {
            ScheduledFault? match = _faults.FirstOrDefault(fault => fault.Matches(method, path));
            if (match is null)
            {
                return null;
            }

            if (--match.RemainingUses == 0)
            {
                _faults.Remove(match);
            }

            return match.Definition;
        }
    }

    private sealed class ScheduledFault(FaultDefinition definition, int uses)
    {
        public FaultDefinition Definition { get; } = definition;

        public int RemainingUses { get; set; } = uses;

        public bool Matches(string method, string path) =>
            string.Equals(Definition.Path, path, StringComparison.OrdinalIgnoreCase)
            && (Definition.Method is null || string.Equals(Definition.Method, method, StringComparison.OrdinalIgnoreCase));
    }
}
