using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Cerver.Relay.Compute.Files.Native;

/// <summary>
/// The *at calls the file API resolves with, over file descriptors held in
/// <see cref="SafeFileHandle"/>s. Each returns 0 or the errno, retrying EINTR, so callers map
/// failures to answers instead of catching exceptions.
/// </summary>
internal static partial class NativeFile
{
    public const int CurrentDirectory = -100;

    private const int FileTypeMask = 0xF000;

    public static int TryOpen(SafeFileHandle directory, string path, int flags, uint mode, out SafeFileHandle handle)
    {
        int fd;
        while ((fd = Libc.OpenAt(directory, path, flags, mode)) < 0 && Marshal.GetLastPInvokeError() == Errno.Interrupted)
        {
        }

        return Wrap(fd, out handle);
    }

    public static int TryOpen(string absolutePath, int flags, out SafeFileHandle handle)
    {
        int fd;
        while ((fd = Libc.OpenAtCwd(CurrentDirectory, absolutePath, flags, 0)) < 0 && Marshal.GetLastPInvokeError() == Errno.Interrupted)
        {
        }

        return Wrap(fd, out handle);
    }

    public static int TryMakeDirectory(SafeFileHandle directory, string name, uint mode) => Retried(() => Libc.MkdirAt(directory, name, mode));

    public static int TryRename(SafeFileHandle directory, string from, string to) => Retried(() => Libc.RenameAt(directory, from, directory, to));

    public static int TryUnlink(SafeFileHandle directory, string name) => Retried(() => Libc.UnlinkAt(directory, name, 0));

    public static int TryChangeMode(SafeFileHandle file, uint mode) => Retried(() => Libc.FChmod(file, mode));

    public static int TryChangeOwner(SafeFileHandle file, int uid, int gid) => Retried(() => Libc.FChown(file, uid, gid));

    public static int TrySync(SafeFileHandle file) => Retried(() => Libc.FSync(file));

    /// <summary>The type and size of what a handle refers to, from the handle itself.</summary>
    public static unsafe int TryStatus(SafeFileHandle file, out FileStatus status)
    {
        status = default;
        var buffer = stackalloc byte[256];
        int errno;
        if (OperatingSystem.IsLinux())
        {
            // statx has one layout on every Linux architecture: mode at 28, size at 40.
            const int EmptyPath = 0x1000;
            const uint TypeModeAndSize = 0x1 | 0x2 | 0x200;
            if (!Failed(Linux.Statx(file, "", EmptyPath, TypeModeAndSize, buffer), out errno))
            {
                status = new FileStatus(*(ushort*)(buffer + 28) & FileTypeMask, *(long*)(buffer + 40));
            }

            return errno;
        }

        // macOS' 64-bit-inode struct stat: st_mode at 4, st_size at 96 (x64 keeps the old fstat under its plain name).
        var result = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? MacOS.FStatInode64(file, buffer) : MacOS.FStat(file, buffer);
        if (!Failed(result, out errno))
        {
            status = new FileStatus(*(ushort*)(buffer + 4) & FileTypeMask, *(long*)(buffer + 96));
        }

        return errno;
    }

    /// <summary>Where a handle's file is now, as the kernel names it (Linux: its /proc/self/fd link); null elsewhere.</summary>
    public static unsafe string? CurrentPath(SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        const int Capacity = 4096;
        var buffer = stackalloc byte[Capacity];
        var length = Libc.ReadLink($"/proc/self/fd/{file.DangerousGetHandle()}", buffer, Capacity);
        return length is > 0 and < Capacity ? Encoding.UTF8.GetString(buffer, (int)length) : null;
    }

    /// <summary>Takes ownership of a returned descriptor, or reads the errno of a failed call.</summary>
    internal static int Wrap(long fd, out SafeFileHandle handle)
    {
        if (fd >= 0)
        {
            handle = new SafeFileHandle((nint)fd, ownsHandle: true);
            return 0;
        }

        handle = new SafeFileHandle();
        return Marshal.GetLastPInvokeError();
    }

    private static int Retried(Func<int> call)
    {
        int errno;
        while (Failed(call(), out errno) && errno == Errno.Interrupted)
        {
        }

        return errno;
    }

    private static bool Failed(int result, out int errno)
    {
        errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
        return result < 0;
    }

    private static partial class Libc
    {
        // openat is variadic; Linux passes the mode in a register either way. On Apple arm64 a
        // variadic mode travels on the stack, so a created file's mode is set again by fchmod.
        [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int OpenAt(SafeFileHandle directory, string path, int flags, uint mode);

        [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int OpenAtCwd(int directory, string path, int flags, uint mode);

        [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int MkdirAt(SafeFileHandle directory, string name, uint mode);

        [LibraryImport("libc", EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int RenameAt(SafeFileHandle fromDirectory, string from, SafeFileHandle toDirectory, string to);

        [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int UnlinkAt(SafeFileHandle directory, string name, int flags);

        [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
        public static partial int FChmod(SafeFileHandle file, uint mode);

        [LibraryImport("libc", EntryPoint = "fchown", SetLastError = true)]
        public static partial int FChown(SafeFileHandle file, int uid, int gid);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static partial int FSync(SafeFileHandle file);

        [LibraryImport("libc", EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static unsafe partial nint ReadLink(string path, byte* buffer, nint size);
    }

    private static partial class Linux
    {
        [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static unsafe partial int Statx(SafeFileHandle directory, string path, int flags, uint mask, byte* buffer);
    }

    private static partial class MacOS
    {
        [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
        public static unsafe partial int FStat(SafeFileHandle file, byte* buffer);

        [LibraryImport("libc", EntryPoint = "fstat$INODE64", SetLastError = true)]
        public static unsafe partial int FStatInode64(SafeFileHandle file, byte* buffer);
    }
}

/// <summary>What a handle refers to: its <c>S_IFMT</c> type bits and its size.</summary>
internal readonly record struct FileStatus(int Type, long Size)
{
    public bool IsRegular => Type == 0x8000;

    public bool IsDirectory => Type == 0x4000;

    public bool IsLink => Type == 0xA000;
}
