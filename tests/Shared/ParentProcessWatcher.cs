using System.Diagnostics;

namespace TSheets.TestServers;

/// <summary>
/// Stops a test server when the process that started it is gone, so a test run that crashes or is killed
/// leaves no server behind holding a port.
/// </summary>
internal sealed class ParentProcessWatcher(int parentPid, IHostApplicationLifetime lifetime) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // GetProcessById throws ArgumentException for a pid that no longer exists.
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!IsRunning(parentPid))
                {
                    lifetime.StopApplication();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The emulator is stopping for another reason.
        }
    }
}
