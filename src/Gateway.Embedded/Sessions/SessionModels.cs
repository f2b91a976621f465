using System.Text.Json.Nodes;

namespace Cerver.Gateway.Embedded.Sessions;

/// <summary>The seed's lifecycle statuses.</summary>
public static class SessionStatus
{
    public const string Provisioning = "provisioning";
    public const string Ready = "ready";
    public const string Running = "running";
    public const string Idle = "idle";
    public const string Failed = "failed";
    public const string Terminated = "terminated";

    public static readonly IReadOnlyList<string> All = [Provisioning, Ready, Running, Idle, Failed, Terminated];

    public static bool IsEnded(string status) => status is Failed or Terminated;
}

/// <summary>A gateway session: the canonical record of routing, transcript, events and metrics.</summary>
public sealed record SessionRecord
{
    public required string SessionId { get; init; }
    public string? SessionName { get; init; }
    public required string Status { get; init; }
    public string? Provider { get; init; }
    public string? ComputeId { get; init; }
    public string? SandboxId { get; init; }
    public required string Task { get; init; }
    public required string Workload { get; init; }
    public required JsonObject Routing { get; init; }
    public JsonObject Metadata { get; init; } = [];
    public required int IdleTimeoutMinutes { get; init; }
    public int? PredictedStartupMs { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>The transcript entry the last agent turn took as its input: user entries after it are waiting for a turn.</summary>
    public long TurnCursor { get; init; }
}

/// <summary>One turn of the transcript: a message, or a tool call and its result.</summary>
public sealed record TranscriptEntry(long Seq, string Role, string Kind, string Content, DateTimeOffset At, string? ToolName)
{
    /// <summary>The id pairing a <c>tool_use</c> with its <c>tool_result</c>.</summary>
    public string? ToolId { get; init; }

    public JsonNode? ToolInput { get; init; }

    public bool? IsError { get; init; }
}

/// <summary>An entry to append: what the agent or the caller said, before the store numbers it.</summary>
public sealed record NewTranscriptEntry(string Role, string Kind, string Content)
{
    /// <summary>The writer's id of the entry, unique within its session (entries pushed by a relay carry one).</summary>
    public string? EntryId { get; init; }

    public string? ToolName { get; init; }

    public string? ToolId { get; init; }

    public JsonNode? ToolInput { get; init; }

    public bool? IsError { get; init; }
}

/// <summary>Something that happened to a session, with when and how long it took.</summary>
public sealed record SessionEvent(long Seq, string Type, DateTimeOffset At, long? DurationMs, JsonObject Data);

/// <summary>Event types the metrics are computed from.</summary>
public static class SessionEventTypes
{
    public const string Provisioned = "provisioned";
    public const string ProvisionFailed = "provision_failed";
    public const string Exec = "exec";
    public const string StreamOpen = "stream_open";
    public const string Stream = "stream";
    public const string Input = "input";
    public const string Terminated = "terminated";
    public const string Failed = "failed";
    public const string AgentTurn = "agent_turn";
    public const string StatusReported = "status_reported";
}
