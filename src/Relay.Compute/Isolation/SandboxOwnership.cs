using System.Runtime.InteropServices;

namespace Cerver.Relay.Compute.Isolation;

/// <summary>Hands a folder the daemon made to the sandbox user that must write into it.</summary>
public static partial class SandboxOwnership
{
    public static void Give(string path, SandboxUser user)
    {
        if (Chown(path, user.Uid, user.Gid) != 0)
        {
            throw new IOException($"Could not give {path} to the sandbox's uid {user.Uid}: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [LibraryImport("libc", EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Chown(string path, int owner, int group);
}
