using Cerver.Relay.Compute.Processes;

namespace Cerver.Relay.Compute.Isolation;

/// <summary>Wraps a process so it runs inside a sandbox boundary.</summary>
public interface IIsolationBackend
{
    /// <summary><c>bubblewrap</c>, <c>seatbelt</c> or <c>none</c>: what records and status report.</summary>
    string Name { get; }

    /// <summary>Why nothing may run, with the fix; null when this backend runs sandboxes.</summary>
    string? Refusal => null;

    /// <summary>
    /// Where a sandbox's temporary files go: a private <c>/tmp</c> that exists only inside
    /// the namespace under bubblewrap, or a folder beside the workspace that the relay owns.
    /// </summary>
    SandboxTemporaryDirectory TemporaryDirectoryFor(string workspace);

    /// <summary>The host identity a sandbox runs as, when it is not the daemon's own.</summary>
    SandboxUser? UserFor(string sandboxId) => null;

    ProcessSpec Wrap(ProcessSpec process, SandboxBoundary boundary);
}

/// <summary>
/// A sandbox's temporary folder: the path its processes see, and the host folder the relay
/// creates and deletes with the sandbox — null when the backend makes a private one.
/// </summary>
public sealed record SandboxTemporaryDirectory(string SeenAs, string? HostPath)
{
    public static SandboxTemporaryDirectory Private(string seenAs) => new(seenAs, null);

    public static SandboxTemporaryDirectory Beside(string workspace) => new(workspace + ".tmp", workspace + ".tmp");
}
