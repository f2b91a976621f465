using System.Runtime.InteropServices;

namespace Cerver.Relay.Compute.Processes;

/// <summary>
/// Kills a run with two signals, whatever the number of its processes: the started process
/// and the group it leads. Runs without namespace isolation start as the leader of their own
/// session (<c>setsid</c>), so the group holds everything they forked that did not detach
/// itself; under bubblewrap the started process is the outer bwrap, leads no group, and its
/// death ends the sandbox's PID namespace.
/// </summary>
internal static partial class ProcessTree
{
    private const int SigKill = 9;

    public static void KillRun(int processId)
    {
        if (processId <= 1 || OperatingSystem.IsWindows())
        {
            return;
        }

        _ = Kill(-processId, SigKill);
        _ = Kill(processId, SigKill);
    }

    public static void Kill(int processId)
    {
        if (processId > 1 && !OperatingSystem.IsWindows())
        {
            _ = Kill(processId, SigKill);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
