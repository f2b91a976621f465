using System.Text.Json.Nodes;

namespace Cerver.Relay.Compute.Agents;

/// <summary>Something a turn produced, in the order it happened; a turn always ends with <see cref="AgentTurnCompleted"/>.</summary>
public abstract record AgentEvent;

/// <summary>A transcript entry, as the session layer stores it and the <c>cerver</c> CLI reads it.</summary>
public sealed record AgentEntryEvent(AgentEntry Entry) : AgentEvent;

/// <summary>What the CLI said of itself: its own session id (to resume), the model it runs and its provider.</summary>
public sealed record AgentSessionEvent(string? CliSessionId, string? Model, string? ModelProvider) : AgentEvent
{
    /// <summary>Where the agent works, on the machine that runs it (the compute says so when the turn starts).</summary>
    public string? WorkingDirectory { get; init; }
}

/// <summary>The token usage of the turn so far (the CLI's raw figures) with its input and output totals.</summary>
public sealed record AgentUsageEvent(long InputTokens, long OutputTokens, JsonObject Raw) : AgentEvent
{
    /// <summary>The figures count the agent's whole thread, earlier turns included (Codex), not this turn alone.</summary>
    public bool ThreadTotal { get; init; }
}

/// <summary>
/// The end of a turn, always the last event: the exit code, how long it took, its usage, and
/// when it did not end well, why (a sentence a person can act on).
/// </summary>
public sealed record AgentTurnCompleted(int ExitCode, long DurationMs, long InputTokens, long OutputTokens, JsonObject Usage) : AgentEvent
{
    public AgentTurnOutcome Outcome { get; init; } = AgentTurnOutcome.Succeeded;

    /// <summary>The usage counts the agent's whole thread (see <see cref="AgentUsageEvent.ThreadTotal"/>).</summary>
    public bool UsageIsThreadTotal { get; init; }

    public string? Failure { get; init; }
}

public enum AgentTurnOutcome
{
    Succeeded,
    Failed,
    TimedOut,
    Stalled,
    Cancelled,
    NotInstalled,
}

/// <summary>
/// One transcript entry <i>(observed shapes)</i>: <c>assistant/text</c>, <c>assistant/thinking</c>,
/// <c>assistant/tool_use</c> (with tool id, name and input), <c>tool/tool_result</c> (with tool id and
/// whether it is an error), <c>system/…</c>.
/// </summary>
public sealed record AgentEntry(string Role, string Kind, string Content)
{
    public string? ToolId { get; init; }

    public string? ToolName { get; init; }

    public JsonNode? ToolInput { get; init; }

    public bool? IsError { get; init; }

    public static AgentEntry Text(string content) => new("assistant", "text", content);

    public static AgentEntry Thinking(string content) => new("assistant", "thinking", content);

    public static AgentEntry ToolUse(string toolId, string toolName, JsonNode? input) =>
        new("assistant", "tool_use", input?.ToJsonString() ?? "") { ToolId = toolId, ToolName = toolName, ToolInput = input };

    public static AgentEntry ToolResult(string toolId, string content, bool isError) =>
        new("tool", "tool_result", content) { ToolId = toolId, IsError = isError };
}
