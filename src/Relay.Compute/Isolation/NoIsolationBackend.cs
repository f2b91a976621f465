using Cerver.Relay.Compute.Limits;
using Cerver.Relay.Compute.Processes;
using Cerver.Relay.Compute.Runtimes;

namespace Cerver.Relay.Compute.Isolation;

/// <summary>
/// The declared fallback: processes run as the user, confined only to their own process
/// group. On Linux each run starts as a session leader (<c>setsid -w</c>) so the group is
/// exactly what it started and can be killed as one; the namespace backends need no such
/// step, their PID namespace already ends with the run.
/// </summary>
public sealed class NoIsolationBackend(string? setsidPath) : IIsolationBackend
{
    public NoIsolationBackend()
        : this(OperatingSystem.IsLinux() ? ExecutableSearch.Find("setsid") : null)
    {
    }

    public string Name => "none";

    public SandboxTemporaryDirectory TemporaryDirectoryFor(string workspace) => SandboxTemporaryDirectory.Beside(workspace);

    public ProcessSpec Wrap(ProcessSpec process, SandboxBoundary boundary)
    {
        var limited = RlimitPrefix.Apply(process, boundary.Limits);
        return setsidPath is null ? limited : limited.WithCommand(setsidPath, ["-w", limited.FileName, .. limited.Arguments]);
    }
}
