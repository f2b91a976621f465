using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Cerver.Relay.Daemon;

/// <summary>
/// Stops a daemon process as a service manager does: SIGTERM, so it drains its work like any
/// stop, then a kill of its whole tree if it overstays its grace.
/// </summary>
public static partial class DaemonStop
{
    private const int SigTerm = 15;

    public static async Task StopAsync(Process process, TimeSpan grace)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (process.HasExited)
        {
            return;
        }

        if (!OperatingSystem.IsWindows())
        {
            _ = Kill(process.Id, SigTerm);
        }

        using var limit = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
