using System.IO.Enumeration;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Files.Native;

namespace Cerver.Relay.Compute.Files;

/// <summary>
/// Deletes the temporaries of writes a crash interrupted. The walk never descends through a
/// link, stops at the depth a write may reach and after a bounded number of entries, and each
/// delete is an unlinkat in a folder opened beneath the workspace.
/// </summary>
public static class WorkspaceTemporaries
{
    /// <summary>Entries looked at per workspace; a workspace larger than this keeps its deeper leftovers.</summary>
    public const int MaxEntries = 200_000;

    /// <summary>Deletes leftover <c>.cerver-write-*</c> files; returns how many.</summary>
    public static int DeleteLeftovers(string workspaceRoot)
    {
        var root = Path.TrimEndingDirectorySeparator(workspaceRoot);
        if (!Directory.Exists(root))
        {
            return 0;
        }

        var seen = 0;
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            MaxRecursionDepth = WorkspacePath.MaxDepth,
            AttributesToSkip = FileAttributes.ReparsePoint,
            IgnoreInaccessible = true,
        };
        var found = new FileSystemEnumerable<string>(root, (ref entry) => entry.ToFullPath(), options)
        {
            ShouldRecursePredicate = (ref _) => ++seen < MaxEntries,
            ShouldIncludePredicate = (ref entry) =>
                ++seen < MaxEntries && !entry.IsDirectory && entry.FileName.StartsWith(WorkspaceFiles.TemporaryPrefix, StringComparison.Ordinal),
        };

        var leftovers = found.Take(MaxEntries).ToList();
        return leftovers.Count == 0 ? 0 : Delete(root, leftovers);
    }

    private static int Delete(string root, List<string> leftovers)
    {
        using var workspace = WorkspaceDirectory.Open(root, BeneathResolver.Best);
        var deleted = 0;
        foreach (var leftover in leftovers)
        {
            try
            {
                var path = WorkspacePath.Parse(Path.GetRelativePath(root, leftover));
                using var folder = workspace.OpenFolder(path.Parent, "path", path.Normalized);
                if (WorkspaceDirectory.Inspect(folder, path.Name, "path", path.Normalized) == EntryKind.File && NativeFile.TryUnlink(folder, path.Name) == 0)
                {
                    deleted++;
                }
            }
            catch (ComputeException)
            {
                // A leftover that moved or cannot be reached beneath the workspace is not ours to delete.
            }
        }

        return deleted;
    }
}
