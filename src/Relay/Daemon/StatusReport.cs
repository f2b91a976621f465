namespace Cerver.Relay.Daemon;

/// <summary>What <c>GET /relay/status</c> answers and <c>cerver-relay status --json</c> prints.</summary>
public sealed record StatusReport
{
    public required bool Running { get; init; }
    public required string Url { get; init; }
    public string? Version { get; init; }
    public int? Pid { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public long? UptimeSeconds { get; init; }
    public string? MachineId { get; init; }
    public string? ComputeId { get; init; }
    public string? Label { get; init; }
    public string? Isolation { get; init; }

    /// <summary>CERVER_ISOLATION as configured (auto, bubblewrap, seatbelt, none).</summary>
    public string? IsolationMode { get; init; }

    /// <summary>Why nothing runs, with the fix, when no sandbox can be made here.</summary>
    public string? IsolationProblem { get; init; }
    public bool? Draining { get; init; }
    public SandboxCounts? Sandboxes { get; init; }

    /// <summary>The bounds of every sandbox and how they are enforced.</summary>
    public Compute.Contract.SandboxLimits? Limits { get; init; }

    /// <summary>Whether the daemon may create cgroups for its sandboxes, and if not why.</summary>
    public string? Cgroup { get; init; }
    public int? LiveSessions { get; init; }

    /// <summary>Agent turns running now, of how many at once.</summary>
    public AgentTurnCounts? AgentTurns { get; init; }
    public GatewayStatus? Gateway { get; init; }
    public UpdateStatus? Update { get; init; }

    /// <summary>Provider turns' reports to their Cerver sessions on the gateway (SPEC 11): waiting, delivered, refused for good.</summary>
    public Reports.SessionReportsSnapshot? Reports { get; init; }
    public string? Error { get; init; }
}

public sealed record SandboxCounts(int Live, int ActiveRuns);

public sealed record AgentTurnCounts(int Running, int Max);

/// <summary>
/// The gateway side of <c>status</c>: <c>Registration</c> is one of offline, not_logged_in,
/// is_gateway, registering, registered, failing; <c>Link</c> is the connect channel's state (SPEC 7): <c>connected</c>, <c>offline</c> or <c>not_linked</c>.
/// </summary>
public sealed record GatewayStatus(string? Url, bool Offline, bool LoggedIn, string Link)
{
    /// <summary>Since when the link is connected, or since when it is missing.</summary>
    public DateTimeOffset? LinkSince { get; init; }

    /// <summary>Why the link last dropped or failed to open.</summary>
    public string? LinkError { get; init; }

    public string? Registration { get; init; }
    public string? AccountId { get; init; }
    public string? KeyId { get; init; }
    public string? ComputeId { get; init; }
    public DateTimeOffset? RegisteredAt { get; init; }
    public DateTimeOffset? LastHeartbeatAt { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset? LastErrorAt { get; init; }
}

public sealed record UpdateStatus(bool AutoUpdate, string? Repository)
{
    /// <summary>Why this relay does not look for updates (shown as <c>off (…)</c>), or null when it does.</summary>
    public string? OffReason => Update.UpdateSource.OffReason(AutoUpdate, Repository);

    /// <summary>The service manager that restarts the daemon after an update (<c>CERVER_SERVICE</c>), or null when run by hand.</summary>
    public string? Service { get; init; }
    public DateTimeOffset? LastCheckAt { get; init; }
    public string? LastCheckError { get; init; }

    /// <summary>A newer release the last check found, not installed yet.</summary>
    public string? Available { get; init; }

    /// <summary>A version swapped in but not yet confirmed by serving <c>/healthz</c>.</summary>
    public string? Pending { get; init; }
    public Update.UpdateResult? LastResult { get; init; }
}
