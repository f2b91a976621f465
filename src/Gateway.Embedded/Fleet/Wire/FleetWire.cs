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
}

public sealed record AgentCapability(string Name, bool Installed, string? Version, bool LoggedIn);

/// <summary>POST /v2/computes, field for field as SPEC 7 lists them.</summary>
public sealed record RegisterComputeRequest
{
    public string? MachineId { get; init; }
    public string? Label { get; init; }
    public string? Provider { get; init; }
    public string? Kind { get; init; }
    public string? Scope { get; init; }
    public string? RelayVersion { get; init; }
    public string? Os { get; init; }
    public string? Arch { get; init; }
    public ComputeCapabilities? Capabilities { get; init; }
}

/// <summary>POST /v2/computes/{id}/heartbeat.</summary>
public sealed record HeartbeatRequest
{
    public string? Status { get; init; }
    public int? ActiveSandboxes { get; init; }
    public string? Version { get; init; }
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
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(HeartbeatResponse))]
[JsonSerializable(typeof(ComputeInfo))]
[JsonSerializable(typeof(ComputeListResponse))]
[JsonSerializable(typeof(UnregisterResponse))]
[JsonSerializable(typeof(JsonObject))]
public sealed partial class FleetJsonContext : JsonSerializerContext;
