namespace Cerver.Relay.Compute.Isolation;

/// <summary>
/// What a sandboxed process may see: its workspace (read-write), a private temporary folder,
/// the system read-only, toolchain folders re-exposed read-only, and nothing of the hidden
/// paths (the user's home, <c>CERVER_HOME</c>).
/// </summary>
public sealed record SandboxBoundary(
    string Workspace,
    string WorkingDirectory,
    string TemporaryDirectory,
    bool Network,
    IReadOnlyList<string> HiddenPaths,
    IReadOnlyList<string> ReadOnlyPaths)
{
    public ResourceLimits Limits { get; init; } = ResourceLimits.Default;

    /// <summary>Host folders bound writable besides the workspace: an install's staging folder, for its offline phase.</summary>
    public IReadOnlyList<string> WritablePaths { get; init; } = [];

    /// <summary>The host identity to run as; null to run as the daemon's own (unprivileged) user.</summary>
    public SandboxUser? User { get; init; }
}
