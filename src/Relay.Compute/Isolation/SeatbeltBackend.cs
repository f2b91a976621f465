using Cerver.Relay.Compute.Processes;

namespace Cerver.Relay.Compute.Isolation;

/// <summary>macOS isolation through <c>/usr/bin/sandbox-exec</c>, always by absolute path.</summary>
public sealed class SeatbeltBackend : IIsolationBackend
{
    public const string SandboxExecPath = "/usr/bin/sandbox-exec";

    public string Name => "seatbelt";

    public SandboxTemporaryDirectory TemporaryDirectoryFor(string workspace) => SandboxTemporaryDirectory.Beside(workspace);

    public ProcessSpec Wrap(ProcessSpec process, SandboxBoundary boundary) =>
        process.WithCommand(SandboxExecPath, ["-p", new SeatbeltProfileBuilder(boundary).Build(), process.FileName, .. process.Arguments]);
}
