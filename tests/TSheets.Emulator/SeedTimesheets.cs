using System.Globalization;

namespace TSheets.Emulator;

/// <summary>A timesheet as TSheets lists it: a regular one has start and end, a manual one only date and duration.</summary>
/// <param name="Start">ISO 8601 with offset, or "" for a manual timesheet (TSheets sends empty strings, not nulls).</param>
/// <param name="Duration">Seconds.</param>
/// <param name="Date">YYYY-MM-DD, the day the time counts for.</param>
internal sealed record Timesheet(
    long Id,
    long UserId,
    long JobcodeId,
    string Start,
    string End,
    long Duration,
    string Date,
    string Type,
    bool OnTheClock,
    bool Locked,
    string Notes,
    string LastModified,
    long CreatedByUserId)
{
    public const string Regular = "regular";
    public const string Manual = "manual";
    public const string DateFormat = "yyyy-MM-dd";
    public const string DateTimeFormat = "yyyy-MM-dd'T'HH:mm:sszzz";
}

/// <summary>
/// The seeded timesheets: 110 for each of the first 20 paging users of the own company (2,200, eleven full
/// pages at limit 200), and a few for each managed company. Deterministic, so every run sees the same ids.
/// </summary>
internal static class SeedTimesheets
{
    public const int PerUserInOwnCompany = 110;
    public const int PerUserInManagedCompany = 4;

    private const string LastModified = "2025-06-01T00:00:00+00:00";
    private static readonly DateOnly FirstDay = new(2025, 1, 1);
    private static readonly TimeSpan Offset = TimeSpan.FromHours(-7);

    /// <summary>The first id of each company's timesheets: 200001 for the own company, then 300001, 400001...</summary>
    public static long FirstId(int companyIndex) => ((companyIndex + 2) * 100_000L) + 1;

    /// <returns>Company id → that company's timesheets, in id order.</returns>
    public static Dictionary<long, SortedDictionary<long, Timesheet>> Create()
    {
        var all = new Dictionary<long, SortedDictionary<long, Timesheet>>();
        int companyIndex = 0;
        foreach (var company in SeedData.AllCompanies)
        {
            int perUser = company.Id == SeedData.CompanyId ? PerUserInOwnCompany : PerUserInManagedCompany;
            var sheets = new SortedDictionary<long, Timesheet>();
            long id = FirstId(companyIndex++);
            for (int userIndex = 0; userIndex < company.TimesheetUserCount; userIndex++)
            {
                for (int day = 0; day < perUser; day++)
                {
                    var sheet = Make(id++, company.Users[userIndex].Id, userIndex, day, company.Admin.Id);
                    sheets[sheet.Id] = sheet;
                }
            }

            all[company.Id] = sheets;
        }

        return all;
    }

    private static Timesheet Make(long id, long userId, int userIndex, int day, long createdBy)
    {
        var date = FirstDay.AddDays(day);
        string dateText = date.ToString(Timesheet.DateFormat, CultureInfo.InvariantCulture);
        long jobcodeId = 5001 + ((userIndex + day) % 7);

        // Every tenth is a manual entry, so clients meet both shapes (and the empty start/end strings).
        if (day % 10 == 9)
        {
            return new Timesheet(
                id, userId, jobcodeId, "", "", 3600 + (900 * (userIndex % 4)), dateText, Timesheet.Manual,
                OnTheClock: false, Locked: false, "manual entry", LastModified, createdBy);
        }

        var start = new DateTimeOffset(date.ToDateTime(new TimeOnly(8 + (userIndex % 3), 0)), Offset);
        var duration = TimeSpan.FromHours(8) - TimeSpan.FromMinutes(15 * (day % 4));
        return new Timesheet(
            id,
            userId,
            jobcodeId,
            start.ToString(Timesheet.DateTimeFormat, CultureInfo.InvariantCulture),
            (start + duration).ToString(Timesheet.DateTimeFormat, CultureInfo.InvariantCulture),
            (long)duration.TotalSeconds,
            dateText,
            Timesheet.Regular,
            OnTheClock: false,
            Locked: false,
            Notes: "",
            LastModified,
            createdBy);
    }
}
