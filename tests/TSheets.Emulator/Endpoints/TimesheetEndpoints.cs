using System.Globalization;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace TSheets.Emulator.Endpoints;

/// <summary>
/// /timesheets: a large paged list to read, and TSheets' batch writes, which answer 200 overall while each
/// item carries its own _status_code (a failed item does not fail the call).
/// </summary>
internal static class TimesheetEndpoints
{
    public static void MapTimesheetEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/timesheets", GetTimesheets).AllowLimitedTokens();
        api.MapPost("/timesheets", (HttpContext context, EmulatorState emulator) => WriteAsync(context, emulator, create: true));
        api.MapPut("/timesheets", (HttpContext context, EmulatorState emulator) => WriteAsync(context, emulator, create: false));
    }

    private static IResult GetTimesheets(HttpContext context, EmulatorState emulator)
    {
        var config = emulator.Config;
        var query = context.Request.Query;
        var (paging, error) = Paging.Read(context.Request, config);
        if (paging is null)
        {
            return error!;
        }

        if (!TryReadIds(query["ids"], out var ids))
        {
            return ApiErrors.ExpectationFailed("ids must be comma-separated numbers");
        }

        if (!TryReadIds(query["user_ids"], out var userIds))
        {
            return ApiErrors.ExpectationFailed("user_ids must be comma-separated numbers");
        }

        if (!TryReadDate(query["start_date"], out string? startDate) || !TryReadDate(query["end_date"], out string? endDate))
        {
            return ApiErrors.ExpectationFailed("start_date and end_date must be dates, YYYY-MM-DD");
        }

        var company = context.ActingCompany();

        // Dates as YYYY-MM-DD compare correctly as plain strings.
        var all = emulator.ListTimesheets(company.Id, sheet =>
            (ids is null || ids.Contains(sheet.Id))
            && (userIds is null || userIds.Contains(sheet.UserId))
            && (startDate is null || string.CompareOrdinal(sheet.Date, startDate) >= 0)
            && (endDate is null || string.CompareOrdinal(sheet.Date, endDate) <= 0));
        var (sheets, more) = paging.Slice(all);
        return ListAnswer.Create("timesheets", ListAnswer.ById(sheets, sheet => sheet.Id), more, UsersOf(company, sheets, config), config);
    }

    private static async Task<IResult> WriteAsync(HttpContext context, EmulatorState emulator, bool create)
    {
        var (items, error) = await TimesheetBatch.ReadItemsAsync(context.Request);
        if (items is null)
        {
            return error!;
        }

        var company = context.ActingCompany();
        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var results = new List<KeyValuePair<string, object>>();
        var written = new List<Timesheet>();
        for (int index = 0; index < items.Count; index++)
        {
            var outcome = create
                ? TimesheetBatch.Create(items[index], company, emulator)
                : TimesheetBatch.Update(items[index], company, emulator);
            if (outcome.Timesheet is { } sheet)
            {
                written.Add(sheet);
            }

            // Keyed by the item's place in the request, from 1, so a client can match answers to what it sent.
            results.Add(new KeyValuePair<string, object>(ListAnswer.Key(index + 1), outcome.ToJson(options)));
        }

        var config = emulator.Config;
        return ListAnswer.Create("timesheets", results, more: null, UsersOf(company, written, config), config);
    }

    /// <summary>supplemental_data: the users the timesheets refer to, as TSheets adds them; null when there are none.</summary>
    private static IEnumerable<KeyValuePair<string, object>>? UsersOf(Company company, IReadOnlyList<Timesheet> sheets, EmulatorConfig config)
    {
        var users = sheets
            .Select(sheet => sheet.UserId)
            .Distinct()
            .Select(id => (Id: id, User: company.FindUser(id)))
            .Where(entry => entry.User is not null)
            .Select(entry => new KeyValuePair<string, object>(ListAnswer.Key(entry.Id), entry.User!))
            .ToArray();
        return users.Length == 0 ? null : [new("users", ListAnswer.Collection(users, config))];
    }

    private static bool TryReadIds(string? text, out HashSet<long>? ids)
    {
        ids = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        ids = [];
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out long id))
            {
                return false;
            }

            ids.Add(id);
        }

        return true;
    }

    private static bool TryReadDate(string? text, out string? date)
    {
        date = string.IsNullOrEmpty(text) ? null : text;
        return date is null || DateOnly.TryParseExact(date, Timesheet.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
    }
}
