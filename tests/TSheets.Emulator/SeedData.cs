namespace TSheets.Emulator;

/// <summary>The one company and its users that every token of the emulator belongs to.</summary>
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
    public static IReadOnlyList<ListedUser> PagingUsers { get; } = Enumerable.Range(1001, 450)
        .Select(id => new ListedUser(
            Id: id,
            FirstName: $"First{id}",
            LastName: $"Last{id}",
            Username: $"user{id}",
            Email: $"user{id}@acmeco.example",
            Active: true))
        .ToArray();
}

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
