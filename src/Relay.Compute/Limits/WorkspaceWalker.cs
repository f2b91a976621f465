using System.Runtime.InteropServices;

namespace Cerver.Relay.Compute.Limits;

/// <summary>What one walk of a workspace found.</summary>
/// <param name="AllocatedBytes">Disk blocks in use, so a sparse file counts what it really takes.</param>
/// <param name="Capped">The walk stopped at its entry or depth cap: the size is a lower bound.</param>
/// <param name="SetIdStripped">Files whose set-uid/set-gid bits the walk removed.</param>
public sealed record WorkspaceUsage(long AllocatedBytes, int Entries, bool Capped, int SetIdStripped);

/// <summary>
/// Walks a workspace that sandboxed code may be changing while it is read, without ever
/// following a link: every step is relative to a directory descriptor opened with
/// <c>O_NOFOLLOW</c>, so swapping a folder for a symlink mid-walk leads nowhere outside.
/// Bounded in entries and depth, because the sandbox chooses the tree's shape.
/// </summary>
public sealed partial class WorkspaceWalker(int maxEntries = WorkspaceWalker.DefaultMaxEntries, int maxDepth = WorkspaceWalker.DefaultMaxDepth)
{
    public const int DefaultMaxEntries = 250_000;
    public const int DefaultMaxDepth = 256;

    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const uint FileTypeMask = 0xF000;
    private const uint Directory = 0x4000;
    private const uint RegularFile = 0x8000;
    private const uint SetIdBits = 0xC00;

    // The same per-architecture open(2) flags the file API uses.
    private static readonly Files.Native.OpenFlags Flags = Files.Native.OpenFlags.Current;

    /// <summary>Adds up the workspace's allocated size.</summary>
    public WorkspaceUsage Measure(string root) => Walk(root, stripSetId: false);

    /// <summary>Measures and removes set-uid/set-gid bits from every regular file, so nothing a run leaves is a privileged program.</summary>
    public WorkspaceUsage StripSetIdBits(string root) => Walk(root, stripSetId: true);

    private WorkspaceUsage Walk(string root, bool stripSetId) =>
        OperatingSystem.IsLinux() ? WalkLinux(root, stripSetId) : new WorkspaceUsage(0, 0, Capped: false, 0);

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private WorkspaceUsage WalkLinux(string root, bool stripSetId)
    {

        var rootFd = OpenAt(-100, root, Flags.PathOnly | Flags.Directory | Flags.CloseOnExec);
        if (rootFd < 0)
        {
            return new WorkspaceUsage(0, 0, Capped: false, 0);
        }

        long blocks = 0;
        int entries = 0, stripped = 0;
        var capped = false;
        var seenLinked = new HashSet<ulong>();
        var stack = new Stack<(int Fd, Queue<string> Names)>();
        stack.Push((rootFd, ListNames(rootFd) ?? new Queue<string>()));
        try
        {
            while (stack.Count > 0 && !capped)
            {
                var (fd, names) = stack.Peek();
                if (!names.TryDequeue(out var name))
                {
                    _ = Close(stack.Pop().Fd);
                    continue;
                }

                if (++entries > maxEntries)
                {
                    capped = true;
                    break;
                }

                if (StatxAt(fd, name, AtSymlinkNoFollow, StatxBasicStats, out var stat) != 0)
                {
                    continue;
                }

                if (stat.Nlink <= 1 || seenLinked.Add(stat.Inode))
                {
                    blocks += (long)stat.Blocks;
                }

                var type = stat.Mode & FileTypeMask;
                if (type == Directory)
                {
                    if (stack.Count >= maxDepth)
                    {
                        capped = true;
                        break;
                    }

                    var child = OpenAt(fd, name, Flags.PathOnly | Flags.Directory | Flags.NoFollow | Flags.CloseOnExec);
                    if (child < 0)
                    {
                        continue;
                    }

                    // A folder the daemon cannot list could hide any amount of data: unknown counts as full.
                    var childNames = ListNames(child);
                    stack.Push((child, childNames ?? new Queue<string>()));
                    capped |= childNames is null;
                }
                else if (stripSetId && type == RegularFile && (stat.Mode & SetIdBits) != 0 && ClearSetId(fd, name))
                {
                    stripped++;
                }
            }
        }
        finally
        {
            while (stack.Count > 0)
            {
                _ = Close(stack.Pop().Fd);
            }
        }

        return new WorkspaceUsage(blocks * 512, entries, capped, stripped);
    }

    /// <summary>Lists a directory through its descriptor's <c>/proc</c> link, which names exactly the directory opened.</summary>
    private static Queue<string>? ListNames(int directoryFd)
    {
        try
        {
            return new Queue<string>(System.IO.Directory.EnumerateFileSystemEntries($"/proc/self/fd/{directoryFd}").Select(entry => Path.GetFileName(entry)));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// chmod has no no-follow form before Linux 6.6, so the file is pinned first (<c>O_PATH</c>,
    /// no-follow) and changed through its descriptor's <c>/proc</c> link, after re-checking what it is.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static bool ClearSetId(int directoryFd, string name)
    {
        var fd = OpenAt(directoryFd, name, Flags.PathOnly | Flags.NoFollow | Flags.CloseOnExec);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            if (StatxAt(fd, "", AtEmptyPath, StatxBasicStats, out var stat) != 0 || (stat.Mode & FileTypeMask) != RegularFile)
            {
                return false;
            }

            File.SetUnixFileMode($"/proc/self/fd/{fd}", (UnixFileMode)(stat.Mode & 0x1FF));
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct Statx
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint Nlink;
        public uint Uid;
        public uint Gid;
        public ushort ModeBits;
        public ushort Spare;
        public ulong Inode;
        public ulong Size;
        public ulong Blocks;

        public readonly uint Mode => ModeBits;
    }

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenAt(int directoryFd, string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxAt(int directoryFd, string path, int flags, uint mask, out Statx result);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
