using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Cerver.Relay.Compute.Files.Native;

/// <summary>
/// Linux <c>openat2(2)</c> (5.6+), which resolves a whole path beneath a directory handle in the
/// kernel: no component, link or concurrent rename can lead outside it.
/// </summary>
internal static partial class Openat2
{
    private const long SyscallNumber = 437; // the same on every Linux architecture
    private const ulong ResolveNoMagicLinks = 0x02;
    private const ulong ResolveBeneath = 0x08;

    public static unsafe int TryOpenBeneath(SafeFileHandle directory, string path, int flags, uint mode, out SafeFileHandle handle)
    {
        var how = new OpenHow((ulong)(uint)flags, (flags & OpenFlags.Current.Create) != 0 ? mode : 0, ResolveBeneath | ResolveNoMagicLinks);
        long fd;
        while ((fd = Syscall(SyscallNumber, directory, path, &how, (nuint)sizeof(OpenHow))) < 0
            && Marshal.GetLastPInvokeError() == Errno.Interrupted)
        {
        }

        return NativeFile.Wrap(fd, out handle);
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct OpenHow(ulong Flags, ulong Mode, ulong Resolve);

    // syscall(2) is variadic, which Linux' x86_64 and arm64 calling conventions pass like fixed integer arguments.
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial long Syscall(long number, SafeFileHandle directory, string path, OpenHow* how, nuint size);
}
