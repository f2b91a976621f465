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

/// <summary>POST /v2/sessions/{id}/transcript (observed): entries written by the caller, or pushed by a relay (SPEC 11).</summary>
public sealed record AppendTranscriptRequest
{
    public List<AppendedEntry?>? Entries { get; init; }
}

public sealed record AppendedEntry
{
    /// <summary>
    /// The writer's own id of the entry: an entry whose id the session already holds is not
    /// stored again, so a relay may resend a batch whose answer it never got.
    /// </summary>
    public string? Id { get; init; }

    /// <summary>When the entry happened, if the writer knows better than the moment it arrives (a relay's backlog).</summary>
    public DateTimeOffset? At { get; init; }

    public string? Role { get; init; }
    public string? Kind { get; init; }
    public string? Content { get; init; }
    public string? ToolName { get; init; }
    public string? ToolId { get; init; }
    public JsonNode? ToolInput { get; init; }
    public bool? IsError { get; init; }
}

/// <summary><c>appended</c> counts the entries stored now; <c>duplicates</c> those whose id the session already had.</summary>
public sealed record AppendTranscriptResponse(string SessionId, int Appended, int Duplicates, int TranscriptTotal);

/// <summary>PATCH /v2/sessions/{id} (SPEC 11): keys to merge into the session's metadata; a null value removes its key.</summary>
public sealed record PatchSessionRequest
{
    public JsonObject? Metadata { get; init; }
}

/// <summary>POST /v2/sessions/{id}/status (SPEC 11): what the agent's relay says the session is doing, and why it ended.</summary>
public sealed record SessionStatusRequest
{
    public string? Status { get; init; }
    public string? EndReason { get; init; }
}

public sealed record SessionStateResponse(string SessionId, string Status, JsonObject Metadata, int TranscriptTotal)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ComputeId { get; init; }
}

// Nulls are left out: a relay pushes these requests to the hosted gateway too, which should see only what was said.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(SwitchToolRequest))]
[JsonSerializable(typeof(ChangeComputeRequest))]
[JsonSerializable(typeof(AppendTranscriptRequest))]
[JsonSerializable(typeof(AppendTranscriptResponse))]
[JsonSerializable(typeof(PatchSessionRequest))]
[JsonSerializable(typeof(SessionStatusRequest))]
[JsonSerializable(typeof(SessionStateResponse))]
public sealed partial class AgentSessionJsonContext : JsonSerializerContext;
