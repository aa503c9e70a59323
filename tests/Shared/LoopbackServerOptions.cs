using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace TSheets.TestServers;

/// <summary>
/// The command line every test server shares: <c>--urls</c> (loopback only: test runs hand out client
/// secrets and tokens freely, so they must never be reachable from another machine) and
/// <c>--parent-pid</c> (stop when the test run that started it is gone).
/// </summary>
internal sealed record LoopbackServerOptions(string[] Urls, int? ParentPid)
{
    public const string DefaultUrls = "http://127.0.0.1:0";
    public const int UsageError = 2;

    /// <summary>The options, or null after telling stderr what is wrong (exit with <see cref="UsageError"/>).</summary>
    public static LoopbackServerOptions? Read(IConfiguration configuration, string serverName)
    {
        string[] urls = (configuration["urls"] ?? DefaultUrls).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0)
        {
            urls = [DefaultUrls];
        }

        string[] refused = urls.Where(url => !IsLoopbackUrl(url)).ToArray();
        if (refused.Length > 0)
        {
            Console.Error.WriteLine($"{serverName}: refusing to listen on {string.Join(", ", refused)}: only http(s) URLs on a loopback address are allowed.");
            return null;
        }

        int? parentPid = null;
        if (configuration["parent-pid"] is { } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0)
            {
                Console.Error.WriteLine($"{serverName}: --parent-pid must be a process id, not '{text}'.");
                return null;
            }

            if (!ParentProcessWatcher.IsRunning(pid))
            {
                Console.Error.WriteLine($"{serverName}: parent process {pid} is not running.");
                return null;
            }

            parentPid = pid;
        }

        return new LoopbackServerOptions(urls, parentPid);
    }

    // Kestrel's wildcard hosts ("*", "+", "0.0.0.0") are not loopback; Uri cannot even parse the first two.
    private static bool IsLoopbackUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.IsLoopback;
}
