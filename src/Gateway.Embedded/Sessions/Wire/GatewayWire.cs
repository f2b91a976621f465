using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Cerver.Gateway.Embedded.Metrics;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.Sessions.Wire;

/// <summary>POST /gateway/sessions: the seed's "Session response".</summary>
public sealed record SessionResponse(
    string SessionId,
    string? SessionName,
    string Status,
    string? Provider,
    string? ComputeId,
    string? SandboxId,
    SessionMetrics Metrics,
    JsonObject Routing);

/// <summary>GET /gateway/sessions/{id}: routing, transcript, events and fresh metrics together.</summary>
public sealed record SessionDetailResponse(
    string SessionId,
    string? SessionName,
    string Status,
    string? Provider,
    string? ComputeId,
    string? SandboxId,
    string Task,
    string Workload,
    JsonObject Metadata,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    JsonObject Routing,
    IReadOnlyList<TranscriptEntryBody> Transcript,
    int TranscriptTotal,
    IReadOnlyList<SessionEventBody> Events,
    SessionMetrics Metrics);

public sealed record TranscriptEntryBody(long Seq, string Role, string Kind, string Content, DateTimeOffset At, string? ToolName);

public sealed record SessionEventBody(long Seq, string Type, DateTimeOffset At, long? DurationMs, JsonObject Data);

/// <summary>The seed's "Session metrics response".</summary>
public sealed record SessionMetricsResponse(string SessionId, string? Provider, string Status, MetricsRouting Routing, SessionMetrics Metrics);

public sealed record MetricsRouting(string? RecommendedProvider, string? Confidence);

public sealed record InputRequest
{
    public string? Role { get; init; }
    public string? Content { get; init; }
}

public sealed record InputResponse(string SessionId, string Status, TranscriptEntryBody Entry, int TranscriptTotal);

/// <summary>POST /gateway/sessions/{id}/run: the compute's result wrapped with the session's view of it.</summary>
public sealed record SessionRunResponse(
    string SessionId,
    string? Provider,
    string? ComputeId,
    string? SandboxId,
    string Status,
    RunResult Result,
    long DurationMs,
    SessionMetrics Metrics);

public sealed record TerminateResponse(string SessionId, string Status);

public sealed record ProviderListResponse(IReadOnlyList<ProviderInfo> Providers);

public sealed record ProviderInfo(
    string Name,
    string DisplayName,
    bool Executable,
    string Status,
    string? ComputeId,
    IReadOnlyList<string> Runtimes,
    bool PublicPreview,
    bool Browser,
    bool Desktop,
    int PredictedStartupMs,
    int PredictedExecMs,
    double UptimePercent,
    double CostPerMinuteUsd,
    int MaxTimeoutMinutes);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(SessionResponse))]
[JsonSerializable(typeof(SessionDetailResponse))]
[JsonSerializable(typeof(SessionMetricsResponse))]
[JsonSerializable(typeof(InputRequest))]
[JsonSerializable(typeof(InputResponse))]
[JsonSerializable(typeof(SessionRunResponse))]
[JsonSerializable(typeof(TerminateResponse))]
[JsonSerializable(typeof(ProviderListResponse))]
[JsonSerializable(typeof(SessionMetrics))]
[JsonSerializable(typeof(JsonObject))]
public sealed partial class GatewayJsonContext : JsonSerializerContext;
