using System.Text;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Relay.Compute.Files;

/// <summary>
/// A caller's path relative to a workspace, checked by its text alone: bounded in length and
/// depth before anything proportional to it is built, and never absolute, <c>..</c>, NUL or
/// backslash. Links are the kernel's to judge when the path is opened (<see cref="WorkspaceDirectory"/>).
/// </summary>
public sealed class WorkspacePath
{
    /// <summary>Linux' PATH_MAX: no path the kernel resolves is longer.</summary>
    public const int MaxBytes = 4096;

    /// <summary>Deep enough for any project tree; bounds the per-component work of a call.</summary>
    public const int MaxDepth = 64;

    private readonly string[] _segments;

    private WorkspacePath(string[] segments) => _segments = segments;

    /// <summary>The components without <c>.</c> and empty ones; none for the workspace itself.</summary>
    public IReadOnlyList<string> Segments => _segments;

    public string Normalized => string.Join('/', _segments);

    public bool IsRoot => _segments.Length == 0;

    internal ReadOnlySpan<string> All => _segments;

    internal ReadOnlySpan<string> Parent => _segments.AsSpan(0, Math.Max(0, _segments.Length - 1));

    internal string Name => _segments[^1];

    public static WorkspacePath Parse(string? relativePath, string field = "path")
    {
        if (string.IsNullOrEmpty(relativePath))
        {
            throw ComputeException.Invalid(field, "a path is required");
        }

        // UTF-16 length never exceeds the UTF-8 byte count, so the cheap test comes first.
        if (relativePath.Length > MaxBytes || Encoding.UTF8.GetByteCount(relativePath) > MaxBytes)
        {
            throw new ComputeException(ComputeErrorKind.InvalidInput, "path_too_long", $"{field}: a path may be at most {MaxBytes} bytes.");
        }

        if (CountSegments(relativePath) > MaxDepth)
        {
            throw new ComputeException(ComputeErrorKind.InvalidInput, "path_too_deep", $"{field}: a path may have at most {MaxDepth} components.");
        }

        if (relativePath.Contains('\0', StringComparison.Ordinal) || relativePath.Contains('\\', StringComparison.Ordinal))
        {
            throw FileErrors.Outside(field, relativePath, "contains a NUL or backslash character");
        }

        if (relativePath.StartsWith('/') || relativePath.StartsWith('~'))
        {
            throw FileErrors.Outside(field, relativePath, "is absolute; paths are relative to the sandbox workspace");
        }

        var segments = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Contains("..", StringComparer.Ordinal))
        {
            throw FileErrors.Outside(field, relativePath, "contains '..'");
        }

        return new WorkspacePath([.. segments.Where(segment => segment != ".")]);
    }

    /// <summary>
    /// The absolute path of a folder beneath the workspace (a run's <c>cwd</c>), checked by
    /// opening it beneath the workspace's handle.
    /// </summary>
    public static string ResolveDirectory(string workspaceRoot, string? relativePath, string field)
    {
        var path = Parse(relativePath, field);
        using var workspace = WorkspaceDirectory.Open(workspaceRoot, BeneathResolver.Best);
        try
        {
            workspace.OpenFolder(path.All, field, path.Normalized).Dispose();
        }
        catch (ComputeException refused) when (refused.Kind is ComputeErrorKind.NotFound or ComputeErrorKind.Conflict)
        {
            throw ComputeException.Invalid(field, $"'{relativePath}' is not a folder in the workspace");
        }

        return path.IsRoot ? workspaceRoot : Path.Combine(workspaceRoot, path.Normalized);
    }

    public static bool IsInside(string root, string candidate)
    {
        var full = Path.GetFullPath(candidate);
        return full == root || full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    private static int CountSegments(string path)
    {
        var count = 0;
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] != '/' && (i == 0 || path[i - 1] == '/'))
            {
                count++;
            }
        }

        return count;
    }
}
