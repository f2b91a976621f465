using System.Runtime.InteropServices;

namespace Cerver.Relay.Compute.Processes;

/// <summary>
/// Descriptors the daemon inherited from whatever started it (a terminal's pipes, a service
/// manager's sockets, a test runner's) lack close-on-exec, and neither .NET, bwrap nor setpriv
/// closes them, so every sandbox would hold them. The runtime opens its own with O_CLOEXEC;
/// marking every descriptor above stderr once, before the first sandbox starts, leaves a
/// sandbox only its three standard streams.
/// </summary>
internal static partial class InheritedDescriptors
{
    private const int GetFlags = 1; // F_GETFD, the same on Linux and macOS
    private const int SetFlags = 2; // F_SETFD
    private const int CloseOnExec = 1; // FD_CLOEXEC

    public static int MarkCloseOnExec()
    {
        var folder = OperatingSystem.IsLinux() ? "/proc/self/fd" : OperatingSystem.IsMacOS() ? "/dev/fd" : null;
        if (folder is null)
        {
            return 0;
        }

        var marked = 0;
        foreach (var entry in Directory.GetFiles(folder))
        {
            if (int.TryParse(Path.GetFileName(entry), out var descriptor) && descriptor > 2)
            {
                var flags = Fcntl(descriptor, GetFlags, 0);
                if (flags >= 0 && (flags & CloseOnExec) == 0 && Fcntl(descriptor, SetFlags, flags | CloseOnExec) == 0)
                {
                    marked++;
                }
            }
        }

        return marked;
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int descriptor, int command, int argument);
}
