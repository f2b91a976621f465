using Cerver.Relay.Compute.Processes;

namespace Cerver.Relay.Compute.Isolation;

/// <summary>The declared fallback: processes run as the user, confined only to their own process group.</summary>
public sealed class NoIsolationBackend : IIsolationBackend
{
    public string Name => "none";

    public SandboxTemporaryDirectory TemporaryDirectoryFor(string workspace) => SandboxTemporaryDirectory.Beside(workspace);

    public ProcessSpec Wrap(ProcessSpec process, SandboxBoundary boundary) => process;
}
