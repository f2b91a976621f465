using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Cerver.Gateway.Embedded.Fleet.Wire;

namespace Cerver.Gateway.Embedded.Provider.Wire;

/// <summary><c>POST /api/cerver/provider/sandboxes</c> (SPEC 11, observed).</summary>
public sealed record ProviderSandboxRequest
{
    public string? Engine { get; init; }
    public long? TimeoutMs { get; init; }
    public JsonObject? Metadata { get; init; }
}

/// <summary>A provider sandbox: a real sandbox of this relay whose runs are turns of its agent.</summary>
public sealed record ProviderSandbox(
    string SandboxId,
    string RemoteSandboxId,
    string Provider,
    string Engine,
    string Status,
    DateTimeOffset CreatedAt,
    JsonObject Metadata,
    ComputeCapabilities Capabilities);

/// <summary><c>POST …/sandboxes/{id}/run</c>: <c>code</c> is the prompt of an agent turn.</summary>
public sealed record ProviderRunRequest
{
    public string? Code { get; init; }
    public double? Timeout { get; init; }
    public Dictionary<string, string>? Envs { get; init; }
}

/// <summary>A finished turn, in the original relay's shape: <c>stdout</c> is what the agent said, <c>stderr</c> why it failed.</summary>
public sealed record ProviderRunResult(bool Success, string Action, int ExitCode, string Stdout, string Stderr, string? SessionId)
{
    public string? Outcome { get; init; }
    public long? DurationMs { get; init; }
    public long? InputTokens { get; init; }
    public long? OutputTokens { get; init; }
}

/// <summary><c>POST /api/local-claude/agents/{id}/input</c> (SPEC 11, observed).</summary>
public sealed record AgentInputRequest
{
    public string? Input { get; init; }
    public string? CliTool { get; init; }
    public string? CerverSessionId { get; init; }
    public string? CliSessionId { get; init; }
    public string? WorkingDir { get; init; }
    public bool? PreLogged { get; init; }
}

public sealed record AgentInputResult(bool Success, string Action, string AgentId, string? SessionId);

public sealed record ProviderDeleteResult(bool Success, string SandboxId, string Status);

/// <summary><c>GET /api/cerver/provider</c>: who this provider is and what it can do.</summary>
public sealed record ProviderInfo(string Provider, string Label, string Status, string MachineId, string MachineName, string ComputeId, ComputeCapabilities Capabilities);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DictionaryKeyPolicy = JsonKnownNamingPolicy.Unspecified,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ProviderSandboxRequest))]
[JsonSerializable(typeof(ProviderSandbox))]
[JsonSerializable(typeof(ProviderRunRequest))]
[JsonSerializable(typeof(ProviderRunResult))]
[JsonSerializable(typeof(AgentInputRequest))]
[JsonSerializable(typeof(AgentInputResult))]
[JsonSerializable(typeof(ProviderDeleteResult))]
[JsonSerializable(typeof(ProviderInfo))]
[JsonSerializable(typeof(ProviderAgentRecord))]
public sealed partial class ProviderJsonContext : JsonSerializerContext;
