using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Cerver.Gateway.Embedded.Sessions.Wire;

namespace Cerver.Relay.Mcp;

/// <summary>cerver_session_list: the sessions, newest first.</summary>
public sealed record SessionListResult(IReadOnlyList<SessionSummaryView> Sessions);

public sealed record SessionSummaryView(
    string SessionId,
    string? SessionName,
    string Status,
    string? ComputeId,
    string? CliTool,
    string? CliModel,
    int MessageCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>cerver_session_peek: the last entries of a transcript and how many there are in all.</summary>
public sealed record SessionPeekResult(string SessionId, string Status, int TranscriptTotal, IReadOnlyList<TranscriptEntryView> Entries);

/// <summary>One transcript entry as the tools show it (<c>seq</c> is its index in the transcript).</summary>
public sealed record TranscriptEntryView(long Seq, string Role, string Kind, DateTimeOffset At, string Content)
{
    public string? ToolName { get; init; }

    public string? ToolId { get; init; }

    public JsonNode? ToolInput { get; init; }

    public bool? IsError { get; init; }

    public static TranscriptEntryView From(V2TranscriptEntry entry) => new(entry.Seq, entry.Role, entry.Kind, entry.At, entry.Content)
    {
        ToolName = entry.ToolName,
        ToolId = entry.ToolId,
        ToolInput = entry.ToolInput,
        IsError = entry.IsError,
    };
}

/// <summary>cerver_session_create: the session the relay made.</summary>
public sealed record CreatedSessionView(string SessionId, string? SessionName, string Status, string? Provider, string? ComputeId, string? SandboxId);

/// <summary>cerver_run: what the code did.</summary>
public sealed record RunOutcomeView(string SessionId, int ExitCode, string Stdout, string Stderr, long DurationMs, bool TimedOut, bool Truncated);

/// <summary>cerver_agent_turn: the turn's entries and how it ended (<c>total_usage</c> is the session's, as its session_completed reports it).</summary>
public sealed record AgentTurnView(string SessionId, int ExitCode, long DurationMs, JsonObject? TotalUsage, IReadOnlyList<TranscriptEntryView> Entries);

/// <summary>The body of POST /v2/sessions the create tool sends.</summary>
public sealed record CreateSessionBody(string? SessionName, string? Task, string? SessionType, CreateSessionMetadata Metadata);

public sealed record CreateSessionMetadata(string? CliTool, string? CliModel, string? BootstrapPrompt);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(SessionListResult))]
[JsonSerializable(typeof(SessionPeekResult))]
[JsonSerializable(typeof(CreatedSessionView))]
[JsonSerializable(typeof(RunOutcomeView))]
[JsonSerializable(typeof(AgentTurnView))]
[JsonSerializable(typeof(CreateSessionBody))]
public sealed partial class McpJsonContext : JsonSerializerContext;
