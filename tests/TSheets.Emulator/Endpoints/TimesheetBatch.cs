using System.Globalization;
using System.Text.Json;

namespace TSheets.Emulator.Endpoints;

/// <summary>One item's answer in a batch write: its own status, and the stored timesheet when it succeeded.</summary>
/// <param name="StatusExtra">What went wrong; "" when there is nothing to say.</param>
internal sealed record ItemOutcome(int StatusCode, string StatusMessage, string StatusExtra, Timesheet? Timesheet)
{
    public static ItemOutcome Failed(string extra) => new(StatusCodes.Status417ExpectationFailed, "Expectation Failed", extra, null);

    public static ItemOutcome NotFound(string extra) => new(StatusCodes.Status404NotFound, "Not Found", extra, null);

    /// <summary>The status fields first, then the timesheet's own, as in the TSheets docs' examples.</summary>
    public object ToJson(JsonSerializerOptions options)
    {
        var body = new OrderedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["_status_code"] = StatusCode,
            ["_status_message"] = StatusMessage,
            ["_status_extra"] = StatusExtra,
        };
        if (Timesheet is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(Timesheet, options).EnumerateObject())
            {
                body[property.Name] = property.Value;
            }
        }

        return body;
    }
}

/// <summary>Reads and checks the items of POST and PUT /timesheets, each on its own.</summary>
internal static class TimesheetBatch
{
    public const int MaximumItems = 50;

    private static readonly string[] DateTimeFormats = ["yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:ss'Z'"];

    /// <returns>The items of <c>{"data":[...]}</c>, or the answer for a body that is not one.</returns>
    public static async Task<(IReadOnlyList<JsonElement>? Items, IResult? Error)> ReadItemsAsync(HttpRequest request)
    {
        JsonElement root;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (null, ApiError.Result(StatusCodes.Status400BadRequest, "Bad Request: the body is not valid JSON"));
        }

        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("data", out var data)
            || data.ValueKind != JsonValueKind.Array)
        {
            return (null, ApiErrors.ExpectationFailed("the body must be {\"data\":[...]}"));
        }

        if (data.GetArrayLength() > MaximumItems)
        {
            return (null, ApiError.Result(
                StatusCodes.Status413RequestEntityTooLarge,
                $"Request Entity Too Large: Max Items Exceeded (at most {MaximumItems} timesheets a request)"));
        }

        return data.GetArrayLength() == 0
            ? (null, ApiErrors.ExpectationFailed("data must hold at least one timesheet"))
            : (data.EnumerateArray().ToArray(), null);
    }

    public static ItemOutcome Create(JsonElement item, Company company, EmulatorState emulator)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return ItemOutcome.Failed("each item must be an object");
        }

        if (!TryReadLong(item, "user_id", out long? userId) || userId is null)
        {
            return ItemOutcome.Failed("user_id is required");
        }

        var draft = new Timesheet(
            Id: 0,
            userId.Value,
            JobcodeId: 0,
            Start: "",
            End: "",
            Duration: 0,
            Date: "",
            Type: ReadString(item, "type") ?? "",
            OnTheClock: false,
            Locked: false,
            Notes: "",
            LastModified: "",
            CreatedByUserId: company.Admin.Id);
        var (sheet, problem) = Complete(draft, item, company, emulator.Now);
        return sheet is null
            ? ItemOutcome.Failed(problem!)
            : new ItemOutcome(StatusCodes.Status200OK, "Created", "", emulator.AddTimesheet(company.Id, sheet));
    }

    public static ItemOutcome Update(JsonElement item, Company company, EmulatorState emulator)
    {
        if (item.ValueKind != JsonValueKind.Object || !TryReadLong(item, "id", out long? id) || id is null)
        {
            return ItemOutcome.NotFound("id is required");
        }

        if (emulator.FindTimesheet(company.Id, id.Value) is not { } existing)
        {
            return ItemOutcome.NotFound("no timesheet has this id");
        }

        if (!TryReadLong(item, "user_id", out long? userId))
        {
            return ItemOutcome.Failed("user_id must be a number");
        }

        var draft = existing with
        {
            UserId = userId ?? existing.UserId,
            Type = ReadString(item, "type") ?? existing.Type,
        };
        var (sheet, problem) = Complete(draft, item, company, emulator.Now);
        if (sheet is null)
        {
            return ItemOutcome.Failed(problem!);
        }

        emulator.ReplaceTimesheet(company.Id, sheet);
        return new ItemOutcome(StatusCodes.Status200OK, "Updated", "", sheet);
    }

    /// <summary>Applies the item's fields to the draft and checks the result as TSheets checks a timesheet.</summary>
    private static (Timesheet? Sheet, string? Problem) Complete(Timesheet draft, JsonElement item, Company company, DateTimeOffset now)
    {
        if (company.FindUser(draft.UserId) is null)
        {
            return (null, "unknown user");
        }

        if (!TryReadLong(item, "jobcode_id", out long? jobcodeId))
        {
            return (null, "jobcode_id must be a number");
        }

        var sheet = draft with
        {
            JobcodeId = jobcodeId ?? draft.JobcodeId,
            Notes = ReadString(item, "notes") ?? draft.Notes,
            LastModified = now.ToUniversalTime().ToString(Timesheet.DateTimeFormat, CultureInfo.InvariantCulture),
        };
        return sheet.Type switch
        {
            Timesheet.Regular => CompleteRegular(sheet, item),
            Timesheet.Manual => CompleteManual(sheet, item),
            _ => (null, "type must be regular or manual"),
        };
    }

    private static (Timesheet?, string?) CompleteRegular(Timesheet sheet, JsonElement item)
    {
        string start = ReadString(item, "start") ?? sheet.Start;
        string end = ReadString(item, "end") ?? sheet.End;
        if (start.Length == 0 || end.Length == 0)
        {
            return (null, "start and end are required for a regular timesheet");
        }

        if (!TryParseDateTime(start, out var startTime) || !TryParseDateTime(end, out var endTime))
        {
            return (null, "start and end must be ISO 8601 dates and times with an offset (YYYY-MM-DDThh:mm:ss±hh:mm)");
        }

        if (endTime <= startTime)
        {
            return (null, "end must be after start");
        }

        return (sheet with
        {
            Start = startTime.ToString(Timesheet.DateTimeFormat, CultureInfo.InvariantCulture),
            End = endTime.ToString(Timesheet.DateTimeFormat, CultureInfo.InvariantCulture),
            Duration = (long)(endTime - startTime).TotalSeconds,
            Date = startTime.ToString(Timesheet.DateFormat, CultureInfo.InvariantCulture),
        }, null);
    }

    private static (Timesheet?, string?) CompleteManual(Timesheet sheet, JsonElement item)
    {
        string date = ReadString(item, "date") ?? sheet.Date;
        if (!TryReadLong(item, "duration", out long? duration))
        {
            return (null, "duration must be a whole number of seconds, 1 or more");
        }

        if (duration < 1)
        {
            return (null, "duration must be a whole number of seconds, 1 or more");
        }

        // A regular timesheet turned manual has a duration of its own, which counts as given.
        long seconds = duration ?? sheet.Duration;
        if (date.Length == 0 || seconds < 1)
        {
            return (null, "date and duration are required for a manual timesheet");
        }

        return DateOnly.TryParseExact(date, Timesheet.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? (sheet with { Start = "", End = "", Date = date, Duration = seconds }, null)
            : (null, "date must be YYYY-MM-DD");
    }

    /// <returns>false for a value that is there but not a whole number; a missing or null value gives true and null.</returns>
    private static bool TryReadLong(JsonElement item, string name, out long? value)
    {
        value = null;
        if (!item.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        // PowerShell and PHP clients send ids as strings as often as numbers.
        if (property.ValueKind == JsonValueKind.Number && property.TryGetInt64(out long number)
            || property.ValueKind == JsonValueKind.String
                && long.TryParse(property.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number))
        {
            value = number;
            return true;
        }

        return false;
    }

    private static string? ReadString(JsonElement item, string name) =>
        item.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String ? property.GetString() : null;

    private static bool TryParseDateTime(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, DateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
}
