using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Cerver.Gateway.Embedded.Sessions.Wire;

/// <summary>GET /v2/sessions, as the hosted gateway answers it (observed: camelCase).</summary>
public sealed record V2SessionList(IReadOnlyList<V2SessionSummary> Sessions);

public sealed record V2SessionSummary(
    string SessionId,
    string? SessionName,
    string Status,
    string? ComputeId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Workload,
    JsonObject Metadata,
    int MessageCount);

/// <summary>GET /v2/sessions/{id} (observed): the transcript page and its total.</summary>
public sealed record V2SessionDetail(
    string SessionId,
    string Status,
    string? ComputeId,
    JsonObject Metadata,
    IReadOnlyList<V2TranscriptEntry> Transcript,
    JsonObject Metrics,
    int TranscriptTotal);

public sealed record V2TranscriptEntry(
    string Role,
    string Kind,
    string Content,
    DateTimeOffset At,
    [property: JsonPropertyName("tool_name")] string? ToolName,
    long Seq);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(V2SessionList))]
[JsonSerializable(typeof(V2SessionDetail))]
public sealed partial class V2JsonContext : JsonSerializerContext;
