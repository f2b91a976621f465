using Cerver.Relay.Compute.Processes;

namespace Cerver.Relay.Compute.Isolation;

/// <summary>Linux isolation through bubblewrap (user namespaces; no root needed).</summary>
public sealed class BubblewrapBackend(string bwrapPath) : IIsolationBackend
{
    public string Name => "bubblewrap";

    public SandboxTemporaryDirectory TemporaryDirectoryFor(string workspace) => SandboxTemporaryDirectory.Private("/tmp");

    public ProcessSpec Wrap(ProcessSpec process, SandboxBoundary boundary) =>
        process.WithCommand(bwrapPath, new BubblewrapArgumentsBuilder(boundary).Build(process.FileName, process.Arguments));
}
