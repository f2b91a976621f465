using Cerver.Relay.Compute.Processes;

namespace Cerver.Relay.Compute.Isolation;

/// <summary>
/// Starts every run as the leader of a new session on Linux (<c>setsid -w</c>), so the run's
/// process group is exactly what it started and can be killed as one.
/// </summary>
public sealed class ProcessSessionWrapper(string? setsidPath)
{
    public ProcessSpec Wrap(ProcessSpec process) =>
        setsidPath is null ? process : process.WithCommand(setsidPath, ["-w", process.FileName, .. process.Arguments]);
}
