using Cerver.Gateway.Embedded.Fleet.Wire;

namespace Cerver.Gateway.Embedded.Fleet;

public static class FleetStatus
{
    public const string Ready = "ready";

    /// <summary>What a relay reports when it takes work (observed); listed as <see cref="Ready"/>, the status the <c>cerver</c> CLI picks.</summary>
    public const string Online = "online";
    public const string Busy = "busy";
    public const string Draining = "draining";

    /// <summary>Not reported by a relay: what the gateway concludes after missed heartbeats.</summary>
    public const string Offline = "offline";

    public static readonly IReadOnlyList<string> Reported = [Online, Busy, Draining];
}

/// <summary>A relay compute registered with this gateway, as stored.</summary>
public sealed record FleetCompute(
    string ComputeId,
    string MachineId,
    string AccountId,
    string KeyId,
    string Label,
    string RelayVersion,
    string Os,
    string Arch,
    ComputeCapabilities Capabilities,
    DateTimeOffset RegisteredAt,
    DateTimeOffset? LastHeartbeatAt,
    string HeartbeatStatus,
    int ActiveSandboxes)
{
    /// <summary>When the relay was last heard from: its last heartbeat, or its registration.</summary>
    public DateTimeOffset LastSeenAt => LastHeartbeatAt ?? RegisteredAt;
}
