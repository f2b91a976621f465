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
    long Seq)
{
    /// <summary>An agent's tool entries only (observed snake_case, like <c>tool_name</c>).</summary>
    [JsonPropertyName("tool_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ToolId { get; init; }

    [JsonPropertyName("tool_input"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonNode? ToolInput { get; init; }

    [JsonPropertyName("is_error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? IsError { get; init; }

    public static V2TranscriptEntry From(TranscriptEntry entry) => new(entry.Role, entry.Kind, entry.Content, entry.At, entry.ToolName, entry.Seq)
    {
        ToolId = entry.ToolId,
        ToolInput = entry.ToolInput,
        IsError = entry.IsError,
    };
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(V2SessionList))]
[JsonSerializable(typeof(V2SessionDetail))]
[JsonSerializable(typeof(V2TranscriptEntry))]
public sealed partial class V2JsonContext : JsonSerializerContext;
