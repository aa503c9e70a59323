namespace TSheets.Emulator;

/// <summary>
/// The company every token of the emulator belongs to, its users, and the two companies it manages
/// (External Access). Everything is fixed, so tests can name ids.
/// </summary>
internal static class SeedData
{
    public const long UserId = 12345;
    public const long CompanyId = 67890;
    public const string ClientUrl = "acmeco";
    public const string CompanyName = "Acme Co";

    public static CurrentUser CurrentUser { get; } = new(
        Id: UserId,
        FirstName: "Ada",
        LastName: "Admin",
        Username: "admin",
        Email: "ada@acmeco.example",
        ClientUrl: ClientUrl,
        CompanyName: CompanyName,
        Active: true,
        Permissions: new UserPermissions(Admin: true));

    /// <summary>Enough users (450) for three pages at the maximum page size of 200, the last one partial.</summary>
    public static IReadOnlyList<ListedUser> PagingUsers { get; } = MakeUsers(1001, 450, ClientUrl);

    /// <summary>The token's own company: the first 20 paging users have timesheets.</summary>
    public static Company Company { get; } = new(CompanyId, CompanyName, ClientUrl, CurrentUser, PagingUsers, TimesheetUserCount: 20);

    /// <summary>Small on purpose, with ids of their own, so an answer for the wrong company shows at once.</summary>
    public static IReadOnlyList<Company> ManagedCompanies { get; } =
    [
        MakeManagedCompany(70001, "Beta Builders", "betabuilders", adminId: 71000, firstUserId: 71001, userCount: 5),
        MakeManagedCompany(70002, "Gamma Gardens", "gammagardens", adminId: 72000, firstUserId: 72001, userCount: 3),
    ];

    public static IReadOnlyList<ManagedClient> ManagedClients { get; } = ManagedCompanies
        .Select(company => new ManagedClient(company.Id, company.ClientUrl, company.Name, $"{company.Name} (managed)", Active: true))
        .ToArray();

    public static IEnumerable<Company> AllCompanies => ManagedCompanies.Prepend(Company);

    public static Company? FindManagedCompany(long id) => ManagedCompanies.FirstOrDefault(company => company.Id == id);

    private static Company MakeManagedCompany(long id, string name, string clientUrl, long adminId, long firstUserId, int userCount)
    {
        var admin = new CurrentUser(
            adminId, "Boss", name.Split(' ')[0], "admin", $"boss@{clientUrl}.example", clientUrl, name, Active: true, new UserPermissions(Admin: true));
        return new Company(id, name, clientUrl, admin, MakeUsers(firstUserId, userCount, clientUrl), TimesheetUserCount: userCount);
    }

    private static ListedUser[] MakeUsers(long firstId, int count, string clientUrl) => Enumerable.Range(0, count)
        .Select(offset => firstId + offset)
        .Select(id => new ListedUser(
            Id: id,
            FirstName: $"First{id}",
            LastName: $"Last{id}",
            Username: $"user{id}",
            Email: $"user{id}@{clientUrl}.example",
            Active: true))
        .ToArray();
}

/// <param name="Admin">The user /current_user answers with: the token's user, or the managed company's admin.</param>
/// <param name="Users">What /users lists (the admin is not among them).</param>
/// <param name="TimesheetUserCount">How many of <paramref name="Users"/>, from the first, have seeded timesheets.</param>
internal sealed record Company(long Id, string Name, string ClientUrl, CurrentUser Admin, IReadOnlyList<ListedUser> Users, int TimesheetUserCount)
{
    /// <returns>The admin (a <see cref="CurrentUser"/>) or a listed user with this id; null when the company has none.</returns>
    public object? FindUser(long userId) => userId == Admin.Id ? Admin : Users.FirstOrDefault(user => user.Id == userId);
}

internal sealed record ManagedClient(long Id, string CompanyUrl, string CompanyName, string DisplayName, bool Active);

internal sealed record UserPermissions(bool Admin);

internal sealed record CurrentUser(
    long Id,
    string FirstName,
    string LastName,
    string Username,
    string Email,
    string ClientUrl,
    string CompanyName,
    bool Active,
    UserPermissions Permissions);

internal sealed record ListedUser(long Id, string FirstName, string LastName, string Username, string Email, bool Active);
