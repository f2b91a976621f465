namespace Cerver.Relay.Compute.Isolation;

/// <summary>
/// The bounds every sandbox gets, reported in its record. Memory and processes are enforced by
/// a cgroup where the daemon may use one and by rlimits otherwise (then memory is per process);
/// the workspace size is enforced by the daemon itself.
/// </summary>
public sealed record ResourceLimits
{
    public static readonly ResourceLimits Default = new();

    /// <summary>Memory a sandbox may use (per process when only rlimits are available).</summary>
    public long MemoryBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Processes (and threads) a sandbox may hold at once.</summary>
    public int Processes { get; init; } = 512;

    /// <summary>Largest single file a sandboxed process may write.</summary>
    public long FileSizeBytes { get; init; } = 1L * 1024 * 1024 * 1024;

    /// <summary>Open files per process.</summary>
    public int OpenFiles { get; init; } = 4096;

    /// <summary>Size of a sandbox's private <c>/tmp</c> and <c>/dev/shm</c> each (memory-backed, so bounded apart from the workspace).</summary>
    public long TemporaryBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Total size of a sandbox's workspace.</summary>
    public long WorkspaceBytes { get; init; } = 2L * 1024 * 1024 * 1024;
}
