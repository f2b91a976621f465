using Cerver.Relay.Compute.Processes;

namespace Cerver.Relay.Compute.Isolation;

/// <summary>Wraps a process so it runs inside a sandbox boundary.</summary>
public interface IIsolationBackend
{
    /// <summary><c>bubblewrap</c>, <c>seatbelt</c> or <c>none</c>: what records and status report.</summary>
    string Name { get; }

    /// <summary>
    /// The temporary folder a process sees: a private <c>/tmp</c> under bubblewrap, a folder
    /// beside the workspace elsewhere.
    /// </summary>
    string TemporaryDirectoryFor(string workspace);

    ProcessSpec Wrap(ProcessSpec process, SandboxBoundary boundary);
}
