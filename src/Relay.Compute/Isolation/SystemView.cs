namespace Cerver.Relay.Compute.Isolation;

/// <summary>
/// The host folders a sandbox sees, read-only: the system's programs, libraries and
/// configuration, and nothing of the host's other trees (<c>/opt</c>, <c>/mnt</c>, <c>/srv</c>,
/// project folders). Runtimes installed elsewhere are added per run from their install roots.
/// A top-level folder that is a link (<c>/bin -> usr/bin</c> on merged-/usr systems) stays a link.
/// </summary>
public sealed record SystemView(IReadOnlyList<SystemFolder> Folders)
{
    public static readonly IReadOnlyList<string> Candidates = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"];

    /// <summary>Folders a networked sandbox also needs: where a stub resolver's <c>resolv.conf</c> points.</summary>
    public static readonly IReadOnlyList<string> NetworkCandidates = ["/run/systemd/resolve", "/run/resolvconf"];

    public static SystemView Detect() => new([.. Candidates.Select(Describe).OfType<SystemFolder>()]);

    public static IReadOnlyList<string> ExistingNetworkFolders() => [.. NetworkCandidates.Where(Directory.Exists)];

    public bool Covers(string path) =>
        Folders.Any(folder => folder.LinkTarget is null && (path == folder.Path || path.StartsWith(folder.Path + "/", StringComparison.Ordinal)));

    private static SystemFolder? Describe(string path)
    {
        var info = new DirectoryInfo(path);
        if (info.LinkTarget is { } target)
        {
            return new SystemFolder(path, target);
        }

        return info.Exists ? new SystemFolder(path, null) : null;
    }
}

public sealed record SystemFolder(string Path, string? LinkTarget);
