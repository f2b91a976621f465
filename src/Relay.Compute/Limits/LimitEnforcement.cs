using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Isolation;

namespace Cerver.Relay.Compute.Limits;

/// <summary>How this daemon enforces the sandbox bounds, found once at start-up, and what records and status report.</summary>
public sealed record LimitEnforcement(ResourceLimits Limits, string EnforcedBy, CgroupDelegation Cgroup)
{
    /// <summary>
    /// Limits are rlimits wherever prlimit exists: a delegated cgroup is detected and reported,
    /// but per-sandbox cgroups are not built yet, so <c>cgroup</c> is never claimed.
    /// </summary>
    public static LimitEnforcement Detect(ResourceLimits limits) =>
        new(limits, RlimitPrefix.PrlimitPath is null ? "none" : "rlimit", CgroupDelegation.Detect());

    public SandboxLimits Describe() => new(Limits.MemoryBytes, Limits.Processes, Limits.WorkspaceBytes, Limits.FileSizeBytes, EnforcedBy);
}
