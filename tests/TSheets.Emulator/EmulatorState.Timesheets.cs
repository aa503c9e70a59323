namespace TSheets.Emulator;

internal sealed partial class EmulatorState
{
    // Company id → its timesheets by id. Replaced wholesale by Reset, so a test's writes never outlive it.
    private Dictionary<long, SortedDictionary<long, Timesheet>> _timesheets = SeedTimesheets.Create();

    /// <returns>The company's timesheets that pass the filter, in id order.</returns>
    public IReadOnlyList<Timesheet> ListTimesheets(long companyId, Func<Timesheet, bool> filter)
    {
        lock (_gate)
        {
            return _timesheets.TryGetValue(companyId, out var sheets)
                ? sheets.Values.Where(filter).ToArray()
                : [];
        }
    }

    public Timesheet? FindTimesheet(long companyId, long id)
    {
        lock (_gate)
        {
            return _timesheets.TryGetValue(companyId, out var sheets) ? sheets.GetValueOrDefault(id) : null;
        }
    }

    /// <summary>Stores a new timesheet under the next free id of its company.</summary>
    /// <param name="draft">Its id is ignored.</param>
    public Timesheet AddTimesheet(long companyId, Timesheet draft)
    {
        lock (_gate)
        {
            var sheets = SheetsOfLocked(companyId);
            long id = sheets.Count == 0 ? 1 : sheets.Keys.Max() + 1;
            var stored = draft with { Id = id };
            sheets[id] = stored;
            return stored;
        }
    }

    /// <summary>Stores a changed timesheet in place of the one with its id.</summary>
    public void ReplaceTimesheet(long companyId, Timesheet timesheet)
    {
        lock (_gate)
        {
            SheetsOfLocked(companyId)[timesheet.Id] = timesheet;
        }
    }

    private SortedDictionary<long, Timesheet> SheetsOfLocked(long companyId)
    {
        if (!_timesheets.TryGetValue(companyId, out var sheets))
        {
            sheets = [];
            _timesheets[companyId] = sheets;
        }

        return sheets;
    }
}
