using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Files.Native;
using Cerver.Relay.Compute.Isolation;
using Microsoft.Win32.SafeHandles;

namespace Cerver.Relay.Compute.Files;

/// <summary>
/// A workspace held open by a directory handle for the length of one call. Every path is
/// resolved beneath that handle by <see cref="BeneathResolver"/>, so whatever links the
/// workspace holds or swaps in meanwhile, nothing outside it is opened, created or replaced.
/// </summary>
internal sealed class WorkspaceDirectory : IDisposable
{
    private const uint FolderMode = 0b111_101_101; // 0755

    private readonly SafeFileHandle _root;

    private WorkspaceDirectory(SafeFileHandle root, BeneathResolver resolver)
    {
        _root = root;
        Resolver = resolver;
    }

    public BeneathResolver Resolver { get; }

    public static WorkspaceDirectory Open(string workspaceRoot, BeneathResolver resolver)
    {
        var errno = NativeFile.TryOpen(workspaceRoot, OpenFlags.Current.Folder | OpenFlags.Current.NoFollow, out var root);
        if (errno == 0)
        {
            return new WorkspaceDirectory(root, resolver);
        }

        throw errno == Errno.NoEntry
            ? new ComputeException(ComputeErrorKind.NotFound, "workspace_not_found", "The sandbox's workspace is gone.")
            : new ComputeException(ComputeErrorKind.Fault, "workspace_unavailable", $"The sandbox's workspace cannot be opened (errno {errno}).");
    }

    public SafeFileHandle Open(ReadOnlySpan<string> segments, int flags, string field, string shown)
    {
        var errno = Resolver.TryOpen(_root, segments, flags, 0, out var handle);
        return errno == 0 ? handle : throw FileErrors.For(errno, field, shown);
    }

    /// <summary>Opens an existing folder beneath the workspace.</summary>
    public SafeFileHandle OpenFolder(ReadOnlySpan<string> segments, string field, string shown) =>
        Open(segments, OpenFlags.Current.Folder, field, shown);

    /// <summary>
    /// Opens a folder beneath the workspace, creating each missing one with mkdirat in its
    /// already-opened parent and reopening it beneath the root, so a link swapped in between
    /// is resolved by the kernel like any other.
    /// </summary>
    public SafeFileHandle CreateFolder(ReadOnlySpan<string> segments, SandboxUser? owner, string field)
    {
        var errno = Resolver.TryOpen(_root, segments, OpenFlags.Current.Folder, 0, out var existing);
        if (errno == 0)
        {
            return existing;
        }

        if (errno != Errno.NoEntry)
        {
            throw FileErrors.For(errno, field, string.Join('/', segments));
        }

        var folder = OpenFolder([], field, ".");
        for (var depth = 1; depth <= segments.Length; depth++)
        {
            using var parent = folder;
            var prefix = segments[..depth];
            errno = Resolver.TryOpen(_root, prefix, OpenFlags.Current.Folder, 0, out folder);
            if (errno != Errno.NoEntry)
            {
                if (errno != 0)
                {
                    throw FileErrors.For(errno, field, string.Join('/', prefix));
                }

                continue;
            }

            errno = NativeFile.TryMakeDirectory(parent, segments[depth - 1], FolderMode);
            if (errno is not (0 or Errno.Exists))
            {
                throw FileErrors.For(errno, field, string.Join('/', prefix));
            }

            folder = OpenFolder(prefix, field, string.Join('/', prefix));
            if (errno == 0 && owner is not null)
            {
                try
                {
                    GiveTo(folder, owner, field, string.Join('/', prefix));
                }
                catch (ComputeException)
                {
                    folder.Dispose();
                    throw;
                }
            }
        }

        return folder;
    }

    /// <summary>What a folder's entry is, looked at without following or opening it for I/O.</summary>
    public static EntryKind Inspect(SafeFileHandle folder, string name, string field, string shown)
    {
        var errno = NativeFile.TryOpen(folder, name, OpenFlags.Current.Inspect, 0, out var entry);
        using (entry)
        {
            if (errno == Errno.NoEntry)
            {
                return EntryKind.Missing;
            }

            if (errno == Errno.Loop)
            {
                return EntryKind.Link;
            }

            if (errno is Errno.NoDeviceOrAddress or Errno.NoDevice)
            {
                return EntryKind.Special;
            }

            // An entry this account may not open is still replaced by a rename the folder allows.
            if (errno is Errno.Access or Errno.Permission)
            {
                return EntryKind.File;
            }

            if (errno != 0 || (errno = NativeFile.TryStatus(entry, out var status)) != 0)
            {
                throw FileErrors.For(errno, field, shown);
            }

            return status switch
            {
                { IsRegular: true } => EntryKind.File,
                { IsDirectory: true } => EntryKind.Folder,
                { IsLink: true } => EntryKind.Link,
                _ => EntryKind.Special,
            };
        }
    }

    /// <summary>
    /// Where a link at <paramref name="path"/> leads, as a path beneath the workspace, with the
    /// kernel judging every step; null when this resolver follows no links or the target is gone.
    /// </summary>
    public WorkspacePath? FollowLink(WorkspacePath path, string field)
    {
        if (!Resolver.FollowsLinks)
        {
            return null;
        }

        var errno = Resolver.TryOpen(_root, path.All, OpenFlags.Current.PathOnly | OpenFlags.Current.CloseOnExec, 0, out var target);
        using (target)
        {
            if (errno == Errno.NoEntry)
            {
                return null;
            }

            if (errno != 0)
            {
                throw FileErrors.For(errno, field, path.Normalized);
            }

            var root = NativeFile.CurrentPath(_root);
            var current = NativeFile.CurrentPath(target);
            if (root is null || current is null || !WorkspacePath.IsInside(root, current) || current == root)
            {
                return null;
            }

            return WorkspacePath.Parse(Path.GetRelativePath(root, current), field);
        }
    }

    /// <summary>Hands a created file or folder to the sandbox's own user when the daemon is root.</summary>
    public static void GiveTo(SafeFileHandle created, SandboxUser? owner, string field, string shown)
    {
        if (owner is not null && NativeFile.TryChangeOwner(created, owner.Uid, owner.Gid) is var errno and not 0)
        {
            throw FileErrors.For(errno, field, shown);
        }
    }

    public void Dispose() => _root.Dispose();
}

internal enum EntryKind
{
    Missing,
    File,
    Folder,
    Link,
    Special,
}
