using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Cerver.Gateway.Embedded.Sessions.Wire;

/// <summary>POST /v2/sessions/{id}/switch-tool (observed): another harness, another model, and optionally the next prompt.</summary>
public sealed record SwitchToolRequest
{
    public string? CliTool { get; init; }
    public string? CliModel { get; init; }
    public string? Content { get; init; }
}

/// <summary>POST /v2/sessions/{id}/change-compute (observed): where to move, best first.</summary>
public sealed record ChangeComputeRequest
{
    public List<string?>? ComputePriority { get; init; }
}

/// <summary>POST /v2/sessions/{id}/transcript (observed): entries written by the caller.</summary>
public sealed record AppendTranscriptRequest
{
    public List<AppendedEntry?>? Entries { get; init; }
}

public sealed record AppendedEntry
{
    public string? Role { get; init; }
    public string? Kind { get; init; }
    public string? Content { get; init; }
    public string? ToolName { get; init; }
    public string? ToolId { get; init; }
    public JsonNode? ToolInput { get; init; }
    public bool? IsError { get; init; }
}

public sealed record AppendTranscriptResponse(string SessionId, int Appended, int TranscriptTotal);

public sealed record SessionStateResponse(string SessionId, string Status, JsonObject Metadata, int TranscriptTotal)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ComputeId { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(SwitchToolRequest))]
[JsonSerializable(typeof(ChangeComputeRequest))]
[JsonSerializable(typeof(AppendTranscriptRequest))]
[JsonSerializable(typeof(AppendTranscriptResponse))]
[JsonSerializable(typeof(SessionStateResponse))]
public sealed partial class AgentSessionJsonContext : JsonSerializerContext;
