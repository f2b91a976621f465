using System.Runtime.InteropServices;

namespace Cerver.Relay.Compute.Processes;

/// <summary>
/// Kills a run's whole process group. Runs without namespace isolation start as the leader
/// of their own session (<c>setsid</c>), so the group holds everything they forked that did
/// not detach itself; under bubblewrap the PID namespace does that job and this is a no-op.
/// </summary>
internal static partial class ProcessTree
{
    private const int SigKill = 9;

    public static void KillGroup(int leaderProcessId)
    {
        if (leaderProcessId <= 1 || OperatingSystem.IsWindows())
        {
            return;
        }

        _ = Kill(-leaderProcessId, SigKill);
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
