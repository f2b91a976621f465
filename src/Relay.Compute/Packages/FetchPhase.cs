using Cerver.Relay.Compute.Isolation;

namespace Cerver.Relay.Compute.Packages;

/// <summary>
/// The sandbox a download runs in for a sandbox without network: the same bounds and identity
/// as the sandbox, network on, and the staging folder as its only writable folder and working
/// directory. No workspace is bound and the sandboxes directory is hidden, so nothing a run
/// left in a workspace is there to execute.
/// </summary>
public static class FetchPhase
{
    public static SandboxBoundary Boundary(SandboxBoundary sandbox, InstallStaging staging, string temporary, string sandboxesDirectory) => sandbox with
    {
        Workspace = staging.Root,
        WorkingDirectory = staging.Root,
        TemporaryDirectory = temporary,
        Network = true,
        HiddenPaths = [.. sandbox.HiddenPaths, sandboxesDirectory],
        WritablePaths = [],
    };
}
