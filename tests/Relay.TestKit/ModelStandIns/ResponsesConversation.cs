using System.Text.Json.Nodes;

namespace Cerver.Relay.TestKit.ModelStandIns;

/// <summary>How the stand-in reads a request's <c>input</c>: who spoke last and what they said.</summary>
public static class ResponsesConversation
{
    /// <summary>
    /// The text of the latest user message that is not context the client injected: Codex sends
    /// <c>&lt;environment_context&gt;…&lt;/environment_context&gt;</c> and similar tagged blocks as user
    /// messages of their own, before the prompt. Trimmed; null when no user spoke.
    /// </summary>
    public static string? LatestUserText(IReadOnlyList<JsonObject> input)
    {
        for (var index = input.Count - 1; index >= 0; index--)
        {
            var item = input[index];
            if (Text(item["role"]) != "user" || Text(item["type"]) is { } type && type != "message")
            {
                continue;
            }

            var text = ContentText(item["content"]).Trim();
            if (!(text.StartsWith('<') && text.EndsWith('>')))
            {
                return text;
            }
        }

        return null;
    }

    /// <summary>The output of the tool call (function or custom) the input ends with, trimmed; null when it ends otherwise.</summary>
    public static string? TrailingToolOutput(IReadOnlyList<JsonObject> input) =>
        input.Count > 0 && Text(input[^1]["type"]) is "function_call_output" or "custom_tool_call_output" ? ContentText(input[^1]["output"]).Trim() : null;

    /// <summary>Text of a content field: a plain string, or the <c>text</c> of each part of a list.</summary>
    public static string ContentText(JsonNode? content) => content switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonArray parts => string.Concat(parts.OfType<JsonObject>().Select(part => Text(part["text"]))),
        _ => "",
    };

    internal static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
