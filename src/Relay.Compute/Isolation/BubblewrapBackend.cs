using Cerver.Relay.Compute.Limits;
using Cerver.Relay.Compute.Processes;

namespace Cerver.Relay.Compute.Isolation;

/// <summary>
/// Linux isolation through bubblewrap. bwrap takes its seccomp program from a file descriptor,
/// which .NET cannot hand a child, so a shell opens the compiled filter on descriptor 9 and
/// execs bwrap: one extra exec, and the descriptor never reaches the sandboxed code (bwrap
/// closes it once loaded).
/// </summary>
public sealed class BubblewrapBackend(string bwrapPath, string shellPath, string seccompFile, BubblewrapLaunch launch, bool runsAsRoot) : IIsolationBackend
{
    public const int SeccompDescriptor = 9;

    public string Name => "bubblewrap";

    public SandboxTemporaryDirectory TemporaryDirectoryFor(string workspace) => SandboxTemporaryDirectory.Private("/tmp");

    public SandboxUser? UserFor(string sandboxId) => runsAsRoot ? SandboxUsers.For(sandboxId) : null;

    // The limits go inside the user namespace, where RLIMIT_NPROC counts this sandbox alone (RlimitPrefix).
    public ProcessSpec Wrap(ProcessSpec process, SandboxBoundary boundary)
    {
        var limited = RlimitPrefix.Apply(process, boundary.Limits);
        return limited.WithCommand(shellPath,
        [
            "-c", $"exec \"$@\" {SeccompDescriptor}<\"$0\"", seccompFile,
            bwrapPath, .. new BubblewrapArgumentsBuilder(boundary, launch).Build(limited.FileName, limited.Arguments),
        ]);
    }
}
