using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cerver.Relay.Compute.Agents.Claude;

/// <summary>
/// Reads Claude Code's <c>--output-format stream-json --verbose</c> lines <i>(observed in 2.1.332)</i>:
/// <c>system/init</c> names the session and model, <c>assistant</c> lines carry the model's
/// content blocks, <c>user</c> lines carry the tool results the CLI sent back, and one
/// <c>result</c> line ends the run with its usage and whether it failed.
/// </summary>
public sealed class ClaudeStreamJsonParser : IAgentOutputParser
{
    /// <summary>Claude Code reports no provider of its own; Bedrock and Vertex still serve Anthropic's models.</summary>
    public const string Provider = "anthropic";

    private string? _model;
    private string? _resultError;
    private string? _retryError;

    /// <summary>
    /// The run's own error when its <c>result</c> said so; otherwise the API error it was still
    /// retrying when its output stopped (a turn killed mid-retry on a 401 learns why).
    /// </summary>
    public string? ReportedError => _resultError ?? _retryError;

    public IEnumerable<AgentEvent> Parse(string line)
    {
        var start = line.AsSpan().TrimStart();
        if (start.IsEmpty || start[0] != '{')
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object ? Read(root) : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private List<AgentEvent> Read(JsonElement root)
    {
        var events = new List<AgentEvent>();
        switch (StringOf(root, "type"))
        {
            case "system":
                ReadSystem(root, events);
                break;
            case "assistant":
                ReadAssistant(root, events);
                break;
            case "user":
                ReadUser(root, events);
                break;
            case "result":
                ReadResult(root, events);
                break;
        }

        return events;
    }

    private void ReadSystem(JsonElement root, List<AgentEvent> events)
    {
        switch (StringOf(root, "subtype"))
        {
            case "init":
                _model = StringOf(root, "model") ?? _model;
                events.Add(new AgentSessionEvent(StringOf(root, "session_id"), _model, Provider));
                break;
            case "api_retry":
                var status = NumberOf(root, "error_status") is { } code ? $" {code}" : "";
                var kind = StringOf(root, "error") is { } error ? $" ({error})" : "";
                var attempt = NumberOf(root, "attempt") is { } tried ? $", attempt {tried}" : "";
                var limit = NumberOf(root, "max_retries") is { } most ? $" of {most}" : "";
                _retryError = $"the model API answered with an error{status}{kind} and Claude Code was retrying{attempt}{limit}";
                break;
        }
    }

    private void ReadAssistant(JsonElement root, List<AgentEvent> events)
    {
        if (!root.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object
            || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        // An API failure arrives as a synthetic assistant message whose text repeats the error;
        // the result line reports it again, and the session layer writes the failure once from there.
        if (root.TryGetProperty("is_api_error_message", out var apiError) && apiError.ValueKind == JsonValueKind.True)
        {
            _resultError ??= Flatten(content);
            return;
        }

        _retryError = null;
        _model = StringOf(message, "model") ?? _model;
        foreach (var block in content.EnumerateArray())
        {
            switch (StringOf(block, "type"))
            {
                case "text" when StringOf(block, "text") is { Length: > 0 } text:
                    events.Add(new AgentEntryEvent(AgentEntry.Text(text)));
                    break;
                case "thinking" when StringOf(block, "thinking") is { Length: > 0 } thinking:
                    events.Add(new AgentEntryEvent(AgentEntry.Thinking(thinking)));
                    break;
                case "tool_use":
                    var input = block.TryGetProperty("input", out var arguments) ? JsonNode.Parse(arguments.GetRawText()) : null;
                    events.Add(new AgentEntryEvent(AgentEntry.ToolUse(StringOf(block, "id") ?? "", StringOf(block, "name") ?? "", input)));
                    break;
            }
        }
    }

    private static void ReadUser(JsonElement root, List<AgentEvent> events)
    {
        if (!root.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object
            || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var block in content.EnumerateArray())
        {
            if (StringOf(block, "type") == "tool_result")
            {
                var text = block.TryGetProperty("content", out var result) ? Flatten(result) : "";
                var isError = block.TryGetProperty("is_error", out var error) && error.ValueKind == JsonValueKind.True;
                events.Add(new AgentEntryEvent(AgentEntry.ToolResult(StringOf(block, "tool_use_id") ?? "", text, isError)));
            }
        }
    }

    private void ReadResult(JsonElement root, List<AgentEvent> events)
    {
        if (StringOf(root, "session_id") is { } session)
        {
            events.Add(new AgentSessionEvent(session, _model, Provider));
        }

        var raw = root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
            ? JsonNode.Parse(usage.GetRawText()) as JsonObject ?? []
            : [];

        // Anthropic's input_tokens counts only what came after the last cache breakpoint; the
        // prompt the model read is that plus what was written to and read from the cache.
        var input = Count(raw, "input_tokens") + Count(raw, "cache_creation_input_tokens") + Count(raw, "cache_read_input_tokens");
        events.Add(new AgentUsageEvent(input, Count(raw, "output_tokens"), raw));

        var failed = (root.TryGetProperty("is_error", out var isError) && isError.ValueKind == JsonValueKind.True)
            || StringOf(root, "subtype")?.StartsWith("error", StringComparison.Ordinal) == true;
        if (!failed)
        {
            _resultError = null;
            _retryError = null;
            return;
        }

        _resultError = StringOf(root, "result") is { Length: > 0 } result ? result
            : root.TryGetProperty("errors", out var errors) && Flatten(errors) is { Length: > 0 } listed ? listed
            : _resultError ?? $"Claude Code ended with {StringOf(root, "subtype") ?? "an error"}";
    }

    private static long Count(JsonObject usage, string name) =>
        usage[name] is JsonValue value && value.TryGetValue<long>(out var count) ? count : 0;

    private static long? NumberOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    private static string? StringOf(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>A tool result's or error list's text: a string as it is, a list of blocks joined by lines.</summary>
    private static string Flatten(JsonElement content)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString() ?? "";
            case JsonValueKind.Array:
                var text = new StringBuilder();
                foreach (var item in content.EnumerateArray())
                {
                    var part = item.ValueKind switch
                    {
                        JsonValueKind.String => item.GetString(),
                        JsonValueKind.Object => StringOf(item, "text") ?? (StringOf(item, "type") is { } type ? $"[{type}]" : null),
                        _ => null,
                    };
                    if (part is not null)
                    {
                        text.Append(text.Length > 0 ? "\n" : "").Append(part);
                    }
                }

                return text.ToString();
            default:
                return "";
        }
    }
}
