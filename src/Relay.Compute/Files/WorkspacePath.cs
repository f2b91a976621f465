using Cerver.Relay.Compute.Contract;

namespace Cerver.Relay.Compute.Files;

/// <summary>
/// Resolves a caller's relative path inside a workspace. Absolute paths and <c>..</c> are
/// refused outright; every existing component is checked for symbolic links, and a link is
/// only followed when its final target is still inside the workspace.
/// </summary>
public static class WorkspacePath
{
    public static string Resolve(string workspaceRoot, string? relativePath, string field = "path")
    {
        if (string.IsNullOrEmpty(relativePath))
        {
            throw ComputeException.Invalid(field, "a path is required");
        }

        if (relativePath.Contains('\0', StringComparison.Ordinal) || relativePath.Contains('\\', StringComparison.Ordinal))
        {
            throw Refuse(field, relativePath, "contains a NUL or backslash character");
        }

        if (Path.IsPathRooted(relativePath) || relativePath.StartsWith('~'))
        {
            throw Refuse(field, relativePath, "is absolute; paths are relative to the sandbox workspace");
        }

        var segments = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(segment => segment == ".."))
        {
            throw Refuse(field, relativePath, "contains '..'");
        }

        var root = Path.TrimEndingDirectorySeparator(workspaceRoot);
        var current = root;
        foreach (var segment in segments.Where(segment => segment != "."))
        {
            var next = Path.Combine(current, segment);
            var info = new FileInfo(next);
            if (info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
                if (target is null || !IsInside(root, target))
                {
                    throw Refuse(field, relativePath, "goes through a symbolic link that leaves the workspace");
                }

                next = target;
            }

            current = next;
        }

        return current;
    }

    public static bool IsInside(string root, string candidate)
    {
        var full = Path.GetFullPath(candidate);
        return full == root || full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    private static ComputeException Refuse(string field, string path, string why) =>
        new(ComputeErrorKind.InvalidInput, "path_outside_workspace", $"{field}: '{path}' {why}.");
}
