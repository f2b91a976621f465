using Cerver.Relay.Compute.Limits;
using Cerver.Relay.Compute.Processes;

namespace Cerver.Relay.Compute.Isolation;

/// <summary>Linux isolation through bubblewrap (user namespaces; no root needed).</summary>
public sealed class BubblewrapBackend(string bwrapPath) : IIsolationBackend
{
    public string Name => "bubblewrap";

    public SandboxTemporaryDirectory TemporaryDirectoryFor(string workspace) => SandboxTemporaryDirectory.Private("/tmp");

    // The limits go inside the user namespace, where RLIMIT_NPROC counts this sandbox alone (RlimitPrefix).
    public ProcessSpec Wrap(ProcessSpec process, SandboxBoundary boundary)
    {
        var limited = RlimitPrefix.Apply(process, boundary.Limits);
        return limited.WithCommand(bwrapPath, new BubblewrapArgumentsBuilder(boundary).Build(limited.FileName, limited.Arguments));
    }
}
