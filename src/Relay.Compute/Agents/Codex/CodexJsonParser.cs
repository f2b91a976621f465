using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cerver.Relay.Compute.Agents.Codex;

/// <summary>
/// Reads <c>codex exec --json</c> (one event a line: <c>thread.started</c>, <c>turn.started</c>,
/// <c>item.started</c>/<c>item.updated</c>/<c>item.completed</c>, <c>turn.completed</c>,
/// <c>turn.failed</c>, <c>error</c>) into transcript entries. Tools become a <c>tool_use</c> when
/// they start (or when they complete, if Codex reported no start) and a <c>tool_result</c> when
/// they complete, joined by Codex's item id.
/// </summary>
public sealed class CodexJsonParser : IAgentOutputParser
{
    private readonly HashSet<string> _announced = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Revision, string Items)> _todoLists = new(StringComparer.Ordinal);
    private string? _failure;
    private string? _transientError;

    /// <summary>
    /// Why the turn failed (<c>turn.failed</c>), or else the last stream <c>error</c> not followed
    /// by a completed turn: Codex prints "Reconnecting… n/5" errors it then recovers from, and
    /// those must not mark a turn that ended well.
    /// </summary>
    public string? ReportedError => _failure ?? _transientError;

    public IEnumerable<AgentEvent> Parse(string line)
    {
        var trimmed = line.AsSpan().Trim();
        if (trimmed.Length == 0 || trimmed[0] != '{')
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(line) is JsonObject root ? Read(root) : [];
        }
        catch (Exception exception) when (exception is JsonException or ArgumentException)
        {
            // ArgumentException: an object with a repeated property name throws once it is read.
            return [];
        }
    }

    private List<AgentEvent> Read(JsonObject root)
    {
        var events = new List<AgentEvent>();
        switch (Text(root["type"]))
        {
            case "thread.started" when Text(root["thread_id"]) is { Length: > 0 } thread:
                // Codex does not print its model or provider in --json output; they are the
                // turn's own choices (model, and the provider the harness configured).
                events.Add(new AgentSessionEvent(thread, null, null));
                break;
            case "item.started":
                Started(root["item"] as JsonObject, events);
                break;
            case "item.updated":
                Updated(root["item"] as JsonObject, events);
                break;
            case "item.completed":
                Completed(root["item"] as JsonObject, events);
                break;
            case "turn.completed":
                _transientError = null;
                if (root["usage"] is JsonObject usage)
                {
                    events.Add(new AgentUsageEvent(Number(usage["input_tokens"]), Number(usage["output_tokens"]), (JsonObject)usage.DeepClone()) { ThreadTotal = true });
                }

                break;
            case "turn.failed":
                _failure = Readable(Text((root["error"] as JsonObject)?["message"])) ?? "the turn failed";
                break;
            case "error" when Readable(Text(root["message"])) is { } message:
                _transientError = message;
                break;
        }

        return events;
    }

    private void Started(JsonObject? item, List<AgentEvent> events)
    {
        if (item is null || Text(item["id"]) is not { Length: > 0 } id)
        {
            return;
        }

        if (Text(item["type"]) == "todo_list")
        {
            TodoList(id, item, events);
        }
        else if (ToolUse(id, item) is { } use && _announced.Add(id))
        {
            events.Add(new AgentEntryEvent(use));
        }
    }

    private void Updated(JsonObject? item, List<AgentEvent> events)
    {
        if (item is not null && Text(item["id"]) is { Length: > 0 } id && Text(item["type"]) == "todo_list")
        {
            TodoList(id, item, events);
        }
    }

    private void Completed(JsonObject? item, List<AgentEvent> events)
    {
        if (item is null || Text(item["id"]) is not { Length: > 0 } id)
        {
            return;
        }

        switch (Text(item["type"]))
        {
            case "agent_message" or "plan" when Text(item["text"]) is { Length: > 0 } text:
                events.Add(new AgentEntryEvent(AgentEntry.Text(text)));
                return;
            case "reasoning" when Text(item["text"]) is { Length: > 0 } text:
                events.Add(new AgentEntryEvent(AgentEntry.Thinking(text)));
                return;
            case "todo_list":
                TodoList(id, item, events);
                return;
        }

        // "error" items are warnings Codex went on from (an unknown model's metadata, a fallback
        // from WebSockets to HTTPS); what ends a turn comes as turn.failed.
        if (ToolUse(id, item) is not { } use || ToolResult(id, item) is not { } result)
        {
            return;
        }

        if (_announced.Add(id))
        {
            events.Add(new AgentEntryEvent(use));
        }

        events.Add(new AgentEntryEvent(result));
    }

    /// <summary>The tool call an item stands for, or null when it is not a tool.</summary>
    private static AgentEntry? ToolUse(string id, JsonObject item) => Text(item["type"]) switch
    {
        "command_execution" => AgentEntry.ToolUse(id, "shell", new JsonObject { ["command"] = Text(item["command"]) }),
        "file_change" => AgentEntry.ToolUse(id, "apply_patch", new JsonObject { ["changes"] = item["changes"]?.DeepClone() }),
        "mcp_tool_call" => AgentEntry.ToolUse(id, $"mcp__{Text(item["server"])}__{Text(item["tool"])}", item["arguments"]?.DeepClone()),
        "web_search" => AgentEntry.ToolUse(id, "web_search", new JsonObject { ["query"] = Text(item["query"]), ["action"] = item["action"]?.DeepClone() }),
        "collab_tool_call" => AgentEntry.ToolUse(id, Text(item["tool"]) ?? "collab", new JsonObject
        {
            ["prompt"] = Text(item["prompt"]),
            ["receiver_thread_ids"] = item["receiver_thread_ids"]?.DeepClone(),
        }),
        _ => null,
    };

    private static AgentEntry? ToolResult(string id, JsonObject item)
    {
        var failed = Text(item["status"]) is "failed" or "declined";
        switch (Text(item["type"]))
        {
            case "command_execution":
                var exitCode = item["exit_code"] is JsonValue code && code.TryGetValue<int>(out var value) ? value : (int?)null;
                return AgentEntry.ToolResult(id, Text(item["aggregated_output"]) ?? "", failed || exitCode is not (null or 0));
            case "file_change":
                var changes = (item["changes"] as JsonArray ?? []).OfType<JsonObject>().Select(change => $"{Text(change["kind"])} {Text(change["path"])}");
                return AgentEntry.ToolResult(id, string.Join('\n', changes), failed);
            case "mcp_tool_call":
                if (Text((item["error"] as JsonObject)?["message"]) is { } error)
                {
                    return AgentEntry.ToolResult(id, error, true);
                }

                var blocks = ((item["result"] as JsonObject)?["content"] as JsonArray ?? []).OfType<JsonObject>();
                var content = string.Join('\n', blocks.Select(block => Text(block["text"]) ?? block.ToJsonString()));
                return AgentEntry.ToolResult(id, content, failed);
            case "web_search":
                return AgentEntry.ToolResult(id, Text(item["query"]) ?? "", failed);
            case "collab_tool_call":
                var states = (item["agents_states"] as JsonObject ?? []).Select(agent =>
                    $"{agent.Key}: {Text((agent.Value as JsonObject)?["status"])}{(Text((agent.Value as JsonObject)?["message"]) is { } message ? " " + message : "")}");
                return AgentEntry.ToolResult(id, string.Join('\n', states), failed);
            default:
                return null;
        }
    }

    /// <summary>
    /// Codex's to-do list is one item it re-sends whole as steps change: each change becomes a
    /// <c>todo_list</c> tool call with its own result (the list as check boxes), so a reader sees
    /// the plan as it moved and no call is left without a result.
    /// </summary>
    private void TodoList(string id, JsonObject item, List<AgentEvent> events)
    {
        if (item["items"] is not JsonArray items)
        {
            return;
        }

        var snapshot = items.ToJsonString();
        var revision = 1;
        if (_todoLists.TryGetValue(id, out var last))
        {
            if (last.Items == snapshot)
            {
                return;
            }

            revision = last.Revision + 1;
        }

        _todoLists[id] = (revision, snapshot);
        var toolId = revision == 1 ? id : $"{id}#{revision}";
        var checklist = new StringBuilder();
        foreach (var step in items.OfType<JsonObject>())
        {
            var done = step["completed"] is JsonValue completed && completed.TryGetValue<bool>(out var flag) && flag;
            checklist.Append(done ? "[x] " : "[ ] ").Append(Text(step["text"])).Append('\n');
        }

        events.Add(new AgentEntryEvent(AgentEntry.ToolUse(toolId, "todo_list", new JsonObject { ["items"] = items.DeepClone() })));
        events.Add(new AgentEntryEvent(AgentEntry.ToolResult(toolId, checklist.ToString().TrimEnd('\n'), false)));
    }

    /// <summary>An API error arrives as the endpoint's JSON body; its own message is what a person can act on.</summary>
    private static string? Readable(string? message)
    {
        if (message is not { Length: > 0 })
        {
            return null;
        }

        if (message.TrimStart().StartsWith('{'))
        {
            try
            {
                if (JsonNode.Parse(message) is JsonObject body && Text((body["error"] as JsonObject)?["message"]) is { Length: > 0 } inner)
                {
                    return inner;
                }
            }
            catch (JsonException)
            {
                return message;
            }
        }

        return message;
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? number : 0;
}
