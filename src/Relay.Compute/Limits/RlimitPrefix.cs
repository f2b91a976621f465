using Cerver.Relay.Compute.Isolation;
using Cerver.Relay.Compute.Processes;
using Cerver.Relay.Compute.Runtimes;

namespace Cerver.Relay.Compute.Limits;

/// <summary>
/// The <c>prlimit … --</c> prefix that puts a sandbox's bounds on its first process, which
/// every process it starts inherits. Memory is RLIMIT_DATA, not RLIMIT_AS: V8 reserves far
/// more address space than it uses, so node fails to start under an AS limit of 512 MiB but
/// runs under the same DATA limit, which still counts every private writable mapping.
/// </summary>
/// <remarks>
/// RLIMIT_NPROC is counted per uid per user namespace, and checked at every level up to the
/// namespace's creator against the limit the creator had. The prefix must therefore run
/// inside bubblewrap's user namespace: in front of bwrap, an unprivileged daemon's sandboxes
/// would share one count (one sandbox's fork bomb would stop the others from starting).
/// </remarks>
public static class RlimitPrefix
{
    private static readonly Lazy<string?> Prlimit = new(() => OperatingSystem.IsLinux() ? ExecutableSearch.Find("prlimit") : null);

    /// <summary>util-linux <c>prlimit</c>, or null where it is missing (and rlimits cannot be applied).</summary>
    public static string? PrlimitPath => Prlimit.Value;

    public static IReadOnlyList<string> For(ResourceLimits limits, string prlimitPath) =>
    [
        prlimitPath,
        $"--data={limits.MemoryBytes}",
        $"--nproc={limits.Processes}",
        $"--fsize={limits.FileSizeBytes}",
        $"--nofile={limits.OpenFiles}",
        "--core=0",
        "--",
    ];

    /// <summary>The process, started under the limits; unchanged off Linux, where no prlimit exists.</summary>
    public static ProcessSpec Apply(ProcessSpec process, ResourceLimits limits)
    {
        if (!OperatingSystem.IsLinux())
        {
            return process;
        }

        var prefix = For(limits, PrlimitPath ?? throw new InvalidOperationException("prlimit (util-linux) is not installed: the sandbox limits cannot be applied."));
        return process.WithCommand(prefix[0], [.. prefix.Skip(1), process.FileName, .. process.Arguments]);
    }
}
