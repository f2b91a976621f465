using System.Globalization;
using System.Text.Json.Nodes;

namespace Cerver.Relay.TestKit.ModelStandIns;

/// <summary>
/// The answer to one request, as a Responses API <c>response</c> object and as the server-sent
/// events a streaming client reads (the ones Codex acts on: <c>response.created</c>,
/// <c>response.output_item.added</c>, <c>response.output_text.delta</c>,
/// <c>response.output_item.done</c>, <c>response.completed</c>; the others for fidelity).
/// Ids count the stand-in's responses; usage is 10 input tokens per input item and 5 output
/// tokens per output item, so the same conversation always costs the same.
/// </summary>
public sealed class ResponsesReply
{
    /// <summary>The function Codex 0.171 offers for shell commands (its one required parameter is <c>cmd</c>).</summary>
    public const string ShellTool = "exec_command";

    /// <summary>
    /// The custom tool of Codex's code mode (its default model's): raw JavaScript run in an isolate,
    /// which reaches the other tools as <c>tools.&lt;name&gt;(…)</c>. Offered in an
    /// <c>additional_tools</c> input item rather than in <c>tools</c>.
    /// </summary>
    public const string CodeModeTool = "exec";

    private const long CreatedAt = 1_767_225_600;

    private readonly string _id;
    private readonly string _model;
    private readonly List<JsonObject> _output = [];
    private readonly JsonObject _usage;

    public ResponsesReply(ResponsesScript script, JsonObject request, int number)
    {
        var suffix = number.ToString("D4", CultureInfo.InvariantCulture);
        _id = "resp_" + suffix;
        _model = ResponsesConversation.Text(request["model"]) ?? "stand-in";
        var input = (request["input"] as JsonArray ?? []).OfType<JsonObject>().ToList();

        if (script.ToolOutput is null && script.Command is { } command)
        {
            _output.Add(ShellCall(request, suffix, command));
        }
        else
        {
            if (script.Think)
            {
                _output.Add(new JsonObject
                {
                    ["type"] = "reasoning",
                    ["id"] = "rs_" + suffix,
                    ["summary"] = new JsonArray(new JsonObject { ["type"] = "summary_text", ["text"] = "thinking about: " + script.UserText }),
                });
            }

            _output.Add(Message(suffix, script.ToolOutput is { } output ? "tool said: " + output : "echo: " + script.UserText));
        }

        var reasoningTokens = _output.Any(item => ResponsesConversation.Text(item["type"]) == "reasoning") ? 5L : 0L;
        long inputTokens = 10 * input.Count;
        long outputTokens = 5 * _output.Count;
        _usage = new JsonObject
        {
            ["input_tokens"] = inputTokens,
            ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
            ["output_tokens"] = outputTokens,
            ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = reasoningTokens },
            ["total_tokens"] = inputTokens + outputTokens,
        };
    }

    /// <summary>The completed response, as a non-streaming request gets it and <c>response.completed</c> carries it.</summary>
    public JsonObject Response() => Envelope("completed", new JsonArray([.. _output.Select(item => item.DeepClone())]), _usage.DeepClone());

    /// <summary>The stream of events, in order: (event name, data).</summary>
    public IEnumerable<(string Event, JsonObject Data)> Events()
    {
        var sequence = 0;
        (string, JsonObject) Event(string type, JsonObject data)
        {
            data["type"] = type;
            data["sequence_number"] = sequence++;
            return (type, data);
        }

        yield return Event("response.created", new JsonObject { ["response"] = Envelope("in_progress", [], null) });
        yield return Event("response.in_progress", new JsonObject { ["response"] = Envelope("in_progress", [], null) });
        for (var index = 0; index < _output.Count; index++)
        {
            var item = _output[index];
            var id = ResponsesConversation.Text(item["id"]);
            yield return Event("response.output_item.added", new JsonObject { ["output_index"] = index, ["item"] = Opening(item) });
            switch (ResponsesConversation.Text(item["type"]))
            {
                case "message":
                    var text = ResponsesConversation.ContentText(item["content"]);
                    yield return Event("response.content_part.added", Part(id, index, new JsonObject { ["type"] = "output_text", ["text"] = "", ["annotations"] = new JsonArray() }));
                    yield return Event("response.output_text.delta", Part(id, index, null, "delta", text));
                    yield return Event("response.output_text.done", Part(id, index, null, "text", text));
                    yield return Event("response.content_part.done", Part(id, index, new JsonObject { ["type"] = "output_text", ["text"] = text, ["annotations"] = new JsonArray() }));
                    break;
                case "reasoning":
                    var summary = ResponsesConversation.ContentText(item["summary"]);
                    yield return Event("response.reasoning_summary_part.added", Summary(id, index, "part", new JsonObject { ["type"] = "summary_text", ["text"] = "" }));
                    yield return Event("response.reasoning_summary_text.delta", Summary(id, index, "delta", summary));
                    yield return Event("response.reasoning_summary_text.done", Summary(id, index, "text", summary));
                    yield return Event("response.reasoning_summary_part.done", Summary(id, index, "part", new JsonObject { ["type"] = "summary_text", ["text"] = summary }));
                    break;
                case "function_call":
                    var arguments = ResponsesConversation.Text(item["arguments"]);
                    yield return Event("response.function_call_arguments.delta", new JsonObject { ["item_id"] = id, ["output_index"] = index, ["delta"] = arguments });
                    yield return Event("response.function_call_arguments.done", new JsonObject { ["item_id"] = id, ["output_index"] = index, ["arguments"] = arguments });
                    break;
                case "custom_tool_call":
                    var input = ResponsesConversation.Text(item["input"]);
                    yield return Event("response.custom_tool_call_input.delta", new JsonObject { ["item_id"] = id, ["output_index"] = index, ["delta"] = input });
                    yield return Event("response.custom_tool_call_input.done", new JsonObject { ["item_id"] = id, ["output_index"] = index, ["input"] = input });
                    break;
            }

            yield return Event("response.output_item.done", new JsonObject { ["output_index"] = index, ["item"] = item.DeepClone() });
        }

        yield return Event("response.completed", new JsonObject { ["response"] = Response() });
    }

    /// <summary>An OpenAI-shaped error body for a status.</summary>
    public static JsonObject Error(int status) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = $"stand-in error {status}",
            ["type"] = status >= 500 ? "server_error" : "invalid_request_error",
            ["param"] = null,
            ["code"] = $"stand_in_{status}",
        },
    };

    /// <summary>A call running the command through whichever shell tool the request offers.</summary>
    private static JsonObject ShellCall(JsonObject request, string suffix, string command)
    {
        var offered = Tools(request).Select(tool => (ResponsesConversation.Text(tool["type"]), ResponsesConversation.Text(tool["name"]))).ToHashSet();
        var arguments = new JsonObject { ["cmd"] = command }.ToJsonString();
        if (offered.Contains(("function", ShellTool)))
        {
            return new JsonObject
            {
                ["type"] = "function_call",
                ["id"] = "fc_" + suffix,
                ["call_id"] = "call_" + suffix,
                ["name"] = ShellTool,
                ["arguments"] = arguments,
                ["status"] = "completed",
            };
        }

        if (offered.Contains(("custom", CodeModeTool)))
        {
            return new JsonObject
            {
                ["type"] = "custom_tool_call",
                ["id"] = "ctc_" + suffix,
                ["call_id"] = "call_" + suffix,
                ["name"] = CodeModeTool,
                ["input"] = $"const result = await tools.{ShellTool}({arguments});\ntext(result);",
                ["status"] = "completed",
            };
        }

        return Message(suffix, $"stand-in: the request offers neither the {ShellTool} function nor the code-mode {CodeModeTool} tool");
    }

    /// <summary>Every tool the request offers: in <c>tools</c> and in <c>additional_tools</c> input items, namespaces opened.</summary>
    private static IEnumerable<JsonObject> Tools(JsonObject request)
    {
        var lists = new List<JsonArray?> { request["tools"] as JsonArray };
        lists.AddRange((request["input"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(item => ResponsesConversation.Text(item["type"]) == "additional_tools")
            .Select(item => item["tools"] as JsonArray));
        var pending = new Stack<JsonObject>(lists.SelectMany(list => (list ?? []).OfType<JsonObject>()));
        while (pending.TryPop(out var tool))
        {
            yield return tool;
            foreach (var nested in (tool["tools"] as JsonArray ?? []).OfType<JsonObject>())
            {
                pending.Push(nested);
            }
        }
    }

    private static JsonObject Message(string suffix, string text) => new()
    {
        ["type"] = "message",
        ["id"] = "msg_" + suffix,
        ["status"] = "completed",
        ["role"] = "assistant",
        ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = text, ["annotations"] = new JsonArray() }),
    };

    /// <summary>An item as <c>output_item.added</c> shows it: in progress (when it has a status), its content still empty.</summary>
    private static JsonObject Opening(JsonObject item)
    {
        var opening = (JsonObject)item.DeepClone();
        foreach (var (field, empty) in new (string, JsonNode)[] { ("status", "in_progress"), ("content", new JsonArray()), ("summary", new JsonArray()), ("arguments", ""), ("input", "") })
        {
            if (opening.ContainsKey(field))
            {
                opening[field] = empty;
            }
        }

        return opening;
    }

    private static JsonObject Part(string? id, int index, JsonObject? part, string? field = null, string? value = null)
    {
        var data = new JsonObject { ["item_id"] = id, ["output_index"] = index, ["content_index"] = 0 };
        if (part is not null)
        {
            data["part"] = part;
        }

        if (field is not null)
        {
            data[field] = value;
        }

        return data;
    }

    private static JsonObject Summary(string? id, int index, string field, JsonNode? value) =>
        new() { ["item_id"] = id, ["output_index"] = index, ["summary_index"] = 0, [field] = value };

    private JsonObject Envelope(string status, JsonArray output, JsonNode? usage) => new()
    {
        ["id"] = _id,
        ["object"] = "response",
        ["created_at"] = CreatedAt,
        ["status"] = status,
        ["model"] = _model,
        ["output"] = output,
        ["usage"] = usage,
    };
}
