using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Cerver.Gateway.Embedded.Fleet.Wire;

/// <summary>What a compute can do (SPEC 7): sent when a relay registers, shown by <c>GET /v2/computes</c>.</summary>
public sealed record ComputeCapabilities
{
    /// <summary>Runtime name → version (<c>"available"</c> when it has none to tell).</summary>
    public Dictionary<string, string>? Runtimes { get; init; }
    public List<string>? CliTools { get; init; }

    /// <summary>Each agent CLI this compute runs: installed, version, logged in.</summary>
    public List<AgentCapability>? Agents { get; init; }
    public JsonObject? LocalModels { get; init; }
    public string? Isolation { get; init; }
    public int? Cpus { get; init; }
    public long? MemoryMb { get; init; }
    public int? MaxSandboxes { get; init; }

    /// <summary>Observed flags of the original relay: it streams runs, keeps workspaces, has no public preview.</summary>
    public bool? Streaming { get; init; }
    public bool? Persistence { get; init; }
    public bool? PublicPreview { get; init; }
}

public sealed record AgentCapability(string Name, bool Installed, string? Version, bool LoggedIn);

/// <summary>
/// <c>POST /v2/computes/register</c> (observed: the original Python relay). The relay proposes
/// its own compute id; the gateway's answer wins.
/// </summary>
public sealed record RegisterComputeRequest
{
    public string? Label { get; init; }
    public string? Kind { get; init; }
    public string? Provider { get; init; }
    public string? ComputeId { get; init; }
    public ComputeCapabilities? Capabilities { get; init; }
    public ComputeMetadata? Metadata { get; init; }
    public ComputeConnection? Connection { get; init; }
}

/// <summary>Where and what the relay is; <c>machine_id</c> is this relay's addition, so one machine keeps one compute.</summary>
public sealed record ComputeMetadata
{
    public string? MachineId { get; init; }
    public string? MachineName { get; init; }
    public string? WorkingDirectory { get; init; }
    public string? HomeDirectory { get; init; }
    public string? RelayVersion { get; init; }
    public string? Os { get; init; }
    public string? Arch { get; init; }
    public int? ActiveSandboxes { get; init; }
}

/// <summary>How the gateway reaches the relay: always its connect channel, named by the compute id.</summary>
public sealed record ComputeConnection(string? Transport, string? ConnectId);

/// <summary><c>POST /v2/computes/{id}/heartbeat</c> (observed): status, and the capabilities and metadata as they are now.</summary>
public sealed record HeartbeatRequest
{
    public string? Status { get; init; }
    public ComputeCapabilities? Capabilities { get; init; }
    public ComputeMetadata? Metadata { get; init; }
}

public sealed record HeartbeatResponse(string ComputeId, string Status, DateTimeOffset LastHeartbeatAt, int HeartbeatIntervalSeconds);

/// <summary>One compute in <c>GET /v2/computes</c> (observed shape) and the answer to a registration.</summary>
public sealed record ComputeInfo(
    string ComputeId,
    string Label,
    string Provider,
    string Status,
    string Scope,
    string Kind,
    DateTimeOffset? LastHeartbeatAt,
    ComputeCapabilities Capabilities)
{
    public string? MachineId { get; init; }
    public string? AccountId { get; init; }

    /// <summary>The observed registration answer's name for the account.</summary>
    public string? OwnerId { get; init; }
    public string? RelayVersion { get; init; }
    public string? Os { get; init; }
    public string? Arch { get; init; }
    public DateTimeOffset? RegisteredAt { get; init; }
    public int? ActiveSandboxes { get; init; }
    public int? HeartbeatIntervalSeconds { get; init; }
}

public sealed record ComputeListResponse(IReadOnlyList<ComputeInfo> Computes);

public sealed record UnregisterResponse(string ComputeId, string Status);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DictionaryKeyPolicy = JsonKnownNamingPolicy.Unspecified,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ComputeCapabilities))]
[JsonSerializable(typeof(RegisterComputeRequest))]
[JsonSerializable(typeof(ComputeMetadata))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(HeartbeatResponse))]
[JsonSerializable(typeof(ComputeInfo))]
[JsonSerializable(typeof(ComputeListResponse))]
[JsonSerializable(typeof(UnregisterResponse))]
[JsonSerializable(typeof(JsonObject))]
public sealed partial class FleetJsonContext : JsonSerializerContext;
