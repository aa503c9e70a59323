namespace TSheets.Emulator;

internal enum RequestKind
{
    Grant,
    Authorize,
    Api,
    Control,
    Other,
}

/// <summary>Where things live. Routing is case-insensitive, so the classification is too.</summary>
internal static class EmulatorPaths
{
    public const string ApiBase = "/api/v1";
    public const string Grant = ApiBase + "/grant";
    public const string Authorize = ApiBase + "/authorize";
    public const string Control = "/_emulator";

    public static RequestKind Classify(PathString path) =>
        IsExactly(path, Grant) ? RequestKind.Grant
        : IsExactly(path, Authorize) ? RequestKind.Authorize
        : path.StartsWithSegments(ApiBase, StringComparison.OrdinalIgnoreCase) ? RequestKind.Api
        : path.StartsWithSegments(Control, StringComparison.OrdinalIgnoreCase) ? RequestKind.Control
        : RequestKind.Other;

    // "/api/v1/grant" and "/api/v1/grant/" both route to the endpoint.
    private static bool IsExactly(PathString path, string expected) =>
        path.StartsWithSegments(expected, StringComparison.OrdinalIgnoreCase, out var rest)
        && (!rest.HasValue || rest.Value == "/");
}
