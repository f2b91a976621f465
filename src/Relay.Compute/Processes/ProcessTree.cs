using System.Runtime.InteropServices;

namespace Cerver.Relay.Compute.Processes;

/// <summary>
/// Kills a process or its group with one signal each, whatever the number of processes: runs
/// without namespace isolation start as the leader of their own session (<c>setsid</c>), so
/// the group holds everything they forked that did not detach itself; under bubblewrap the
/// started process is not a group leader and the group kill finds nothing, the PID namespace
/// does that job.
/// </summary>
internal static partial class ProcessTree
{
    private const int SigKill = 9;

    public static void KillGroup(int leaderProcessId)
    {
        // getpgid guards against a group the run does not lead: the relay's own is never signalled.
        if (leaderProcessId > 1 && !OperatingSystem.IsWindows() && GetProcessGroup(leaderProcessId) == leaderProcessId)
        {
            _ = Kill(-leaderProcessId, SigKill);
        }
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

    [LibraryImport("libc", EntryPoint = "getpgid", SetLastError = true)]
    private static partial int GetProcessGroup(int pid);
}
