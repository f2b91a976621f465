using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Relay.Compute.Agents.Wire;

/// <summary>An agent turn as it crosses to another relay: durations in seconds, everything else as named.</summary>
public sealed record AgentTurnWire
{
    public string? Harness { get; init; }
    public string? Prompt { get; init; }
    public string? CliSessionId { get; init; }
    public string? Model { get; init; }
    public string? SystemPrompt { get; init; }
    public Dictionary<string, string>? Env { get; init; }
    public double? TimeoutSeconds { get; init; }
    public double? StallTimeoutSeconds { get; init; }

    public static AgentTurnWire From(AgentTurn turn) => new()
    {
        Harness = turn.Harness,
        Prompt = turn.Prompt,
        CliSessionId = turn.CliSessionId,
        Model = turn.Model,
        SystemPrompt = turn.SystemPrompt,
        Env = turn.Env is null ? null : new Dictionary<string, string>(turn.Env, StringComparer.Ordinal),
        TimeoutSeconds = turn.Timeout?.TotalSeconds,
        StallTimeoutSeconds = turn.StallTimeout?.TotalSeconds,
    };

    public AgentTurn ToTurn() => new()
    {
        Harness = Harness ?? throw ComputeException.Invalid("harness", "is required"),
        Prompt = Prompt ?? throw ComputeException.Invalid("prompt", "is required"),
        CliSessionId = CliSessionId,
        Model = Model,
        SystemPrompt = SystemPrompt,
        Env = Env,
        Timeout = Seconds(TimeoutSeconds, "timeout_seconds"),
        StallTimeout = Seconds(StallTimeoutSeconds, "stall_timeout_seconds"),
    };

    /// <summary>A turn's duration in seconds, as every caller may give one: above 0, at most a week.</summary>
    public static TimeSpan? Seconds(double? seconds, string field) => seconds switch
    {
        null => null,
        > 0 and <= 7 * 24 * 3600 => TimeSpan.FromSeconds(seconds.Value),
        _ => throw ComputeException.Invalid(field, "must be a number of seconds above 0 and at most a week"),
    };
}

/// <summary>
/// One event of a turn as it crosses to another relay, <c>type</c> naming which:
/// <c>entry</c>, <c>session</c>, <c>usage</c> or <c>completed</c>.
/// </summary>
public sealed record AgentEventWire
{
    public string? Type { get; init; }
    public string? Role { get; init; }
    public string? Kind { get; init; }
    public string? Content { get; init; }
    public string? ToolId { get; init; }
    public string? ToolName { get; init; }
    public JsonNode? ToolInput { get; init; }
    public bool? IsError { get; init; }
    public string? CliSessionId { get; init; }
    public string? Model { get; init; }
    public string? ModelProvider { get; init; }
    public string? WorkingDirectory { get; init; }
    public long? InputTokens { get; init; }
    public long? OutputTokens { get; init; }
    public JsonObject? Usage { get; init; }
    public bool? ThreadTotal { get; init; }
    public int? ExitCode { get; init; }
    public long? DurationMs { get; init; }
    public string? Outcome { get; init; }
    public string? Failure { get; init; }

    public static AgentEventWire From(AgentEvent item) => item switch
    {
        AgentEntryEvent { Entry: var entry } => new()
        {
            Type = "entry", Role = entry.Role, Kind = entry.Kind, Content = entry.Content,
            ToolId = entry.ToolId, ToolName = entry.ToolName, ToolInput = entry.ToolInput?.DeepClone(), IsError = entry.IsError,
        },
        AgentSessionEvent session => new()
        {
            Type = "session", CliSessionId = session.CliSessionId, Model = session.Model, ModelProvider = session.ModelProvider, WorkingDirectory = session.WorkingDirectory,
        },
        AgentUsageEvent usage => new()
        {
            Type = "usage", InputTokens = usage.InputTokens, OutputTokens = usage.OutputTokens, Usage = (JsonObject)usage.Raw.DeepClone(), ThreadTotal = usage.ThreadTotal,
        },
        AgentTurnCompleted end => new()
        {
            Type = "completed", ExitCode = end.ExitCode, DurationMs = end.DurationMs, InputTokens = end.InputTokens, OutputTokens = end.OutputTokens,
            Usage = (JsonObject)end.Usage.DeepClone(), ThreadTotal = end.UsageIsThreadTotal, Outcome = end.Outcome.ToString(), Failure = end.Failure,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(item), item.GetType().Name, "not an agent event"),
    };

    /// <summary>The event, or a refusal naming the field when the other side sent something it should not have.</summary>
    public AgentEvent ToEvent() => Type switch
    {
        "entry" => new AgentEntryEvent(new AgentEntry(Required(Role, "role"), Required(Kind, "kind"), Content ?? "")
        {
            ToolId = ToolId, ToolName = ToolName, ToolInput = ToolInput, IsError = IsError,
        }),
        "session" => new AgentSessionEvent(CliSessionId, Model, ModelProvider) { WorkingDirectory = WorkingDirectory },
        "usage" => new AgentUsageEvent(InputTokens ?? 0, OutputTokens ?? 0, Usage ?? []) { ThreadTotal = ThreadTotal ?? false },
        "completed" => new AgentTurnCompleted(ExitCode ?? 1, DurationMs ?? 0, InputTokens ?? 0, OutputTokens ?? 0, Usage ?? [])
        {
            Outcome = Enum.TryParse<AgentTurnOutcome>(Outcome, out var outcome) ? outcome : AgentTurnOutcome.Failed,
            Failure = Failure,
            UsageIsThreadTotal = ThreadTotal ?? false,
        },
        _ => throw ComputeException.Invalid("type", $"'{Type}' is not an agent event; use entry, session, usage or completed"),
    };

    private static string Required(string? value, string field) => value ?? throw ComputeException.Invalid(field, "is required");
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DictionaryKeyPolicy = JsonKnownNamingPolicy.Unspecified,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(AgentTurnWire))]
[JsonSerializable(typeof(AgentEventWire))]
public sealed partial class AgentJsonContext : JsonSerializerContext;
