using System.Text.Json.Nodes;
using Cerver.Relay.Compute.Agents;

namespace Cerver.Gateway.Embedded.Sessions.Agents;

/// <summary>
/// A session's token usage over its turns (observed metadata <c>usage_total</c>, <c>usage_last</c>) and
/// the <c>session_completed</c> entry that ends every turn, alike for a session this gateway drives and
/// for a provider sandbox's agent reporting to its Cerver session.
/// </summary>
public static class AgentUsage
{
    /// <summary>Bookkeeping for thread totals, not a figure for readers: a report leaves it out.</summary>
    public const string ThreadKey = "usage_thread";

    /// <summary>Adds a finished turn to <c>usage_total</c> and sets <c>usage_last</c> in <paramref name="metadata"/>; returns the new total.</summary>
    public static JsonObject Accumulate(JsonObject metadata, AgentTurnCompleted end)
    {
        var previous = metadata["usage_total"] as JsonObject;
        var (input, output) = TurnUsage(metadata, end);
        var total = new JsonObject
        {
            ["input_tokens"] = Number(previous, "input_tokens") + input,
            ["output_tokens"] = Number(previous, "output_tokens") + output,
            ["turns"] = Number(previous, "turns") + 1,
        };
        metadata["usage_total"] = total.DeepClone();
        metadata["usage_last"] = end.Usage.DeepClone();
        return total;
    }

    /// <summary><c>{"type":"session_completed","exit_code":N,"duration_ms":N,"total_usage":{…}}</c>, the content of a system entry (observed).</summary>
    public static string CompletionContent(int exitCode, long durationMs, JsonObject totalUsage) =>
        new JsonObject
        {
            ["type"] = "session_completed",
            ["exit_code"] = exitCode,
            ["duration_ms"] = durationMs,
            ["total_usage"] = totalUsage.DeepClone(),
        }.ToJsonString();

    /// <summary>
    /// What this turn used. A CLI that reports its whole thread's totals (Codex) is charged the
    /// difference from what the same thread reported last time, remembered in <see cref="ThreadKey"/>.
    /// </summary>
    private static (long Input, long Output) TurnUsage(JsonObject metadata, AgentTurnCompleted end)
    {
        if (!end.UsageIsThreadTotal)
        {
            metadata.Remove(ThreadKey);
            return (end.InputTokens, end.OutputTokens);
        }

        var thread = metadata["cli_session_id"]?.GetValue<string>();
        var last = metadata[ThreadKey] as JsonObject;
        var sameThread = thread is not null && last?["cli_session_id"]?.GetValue<string>() == thread;
        var (input, output) = sameThread
            ? (Math.Max(0, end.InputTokens - Number(last, "input_tokens")), Math.Max(0, end.OutputTokens - Number(last, "output_tokens")))
            : (end.InputTokens, end.OutputTokens);
        if (end.InputTokens + end.OutputTokens > 0)
        {
            metadata[ThreadKey] = new JsonObject { ["cli_session_id"] = thread, ["input_tokens"] = end.InputTokens, ["output_tokens"] = end.OutputTokens };
        }

        return (input, output);
    }

    private static long Number(JsonObject? usage, string key) =>
        usage?[key] is JsonValue value && value.TryGetValue<long>(out var number) ? number : 0;
}
