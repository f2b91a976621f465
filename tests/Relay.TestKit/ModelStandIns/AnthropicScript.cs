using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cerver.Relay.TestKit.ModelStandIns;

/// <summary>
/// What the stand-in answers to a Messages request, decided only by that request so tests
/// script it without shared state. The latest user message is read: a tool result there is
/// answered <c>tool said: …</c>; otherwise its last text (Claude Code's own
/// <c>&lt;system-reminder&gt;</c> blocks aside) is echoed, after the directives in it:
/// <c>[[bash: cmd]]</c> (a call of the Bash tool, when the request offers it; the command
/// cannot hold <c>]]</c>), <c>[[tool: name]]</c> (a call of any tool the request offers, such as
/// an MCP server's, with no arguments), <c>[[think]]</c>, <c>[[error: status]]</c>, <c>[[hang]]</c>,
/// <c>[[sleep: ms]]</c>.
/// </summary>
public static partial class AnthropicScript
{
    public const string BashTool = "Bash";

    private const string SystemReminder = "<system-reminder>";

    /// <summary>The latest user message's text, and whether it is a tool's result rather than a person's words.</summary>
    public static (string Text, bool IsToolResult) LatestUser(JsonObject request)
    {
        var latest = (request["messages"] as JsonArray)?.LastOrDefault(message => TextOf(message?["role"]) == "user");
        switch (latest?["content"])
        {
            case JsonValue value:
                return ((TextOf(value) ?? "").Trim(), false);
            case JsonArray blocks:
                var results = blocks.Where(block => TextOf(block?["type"]) == "tool_result").ToList();
                if (results.Count > 0)
                {
                    return (Flatten(results[^1]?["content"]).Trim(), true);
                }

                var text = blocks
                    .Where(block => TextOf(block?["type"]) == "text")
                    .Select(block => TextOf(block?["text"]) ?? "")
                    .LastOrDefault(content => !content.TrimStart().StartsWith(SystemReminder, StringComparison.Ordinal));
                return ((text ?? "").Trim(), false);
            default:
                return ("", false);
        }
    }

    internal static AnthropicReply Decide(JsonObject request)
    {
        var (text, isToolResult) = LatestUser(request);
        var messageCount = (request["messages"] as JsonArray)?.Count ?? 0;
        if (isToolResult)
        {
            return new AnthropicReply([Text($"tool said: {text}")], "end_turn");
        }

        var content = new List<JsonObject>();
        int? errorStatus = null;
        var hang = false;
        var sleep = TimeSpan.Zero;
        (string Name, JsonObject Input, string Directive)? call = null;
        foreach (Match directive in Directive().Matches(text))
        {
            var value = directive.Groups["value"].Value.Trim();
            switch (directive.Groups["name"].Value)
            {
                case "think":
                    content.Add(new JsonObject
                    {
                        ["type"] = "thinking",
                        ["thinking"] = $"thinking about: {text}",
                        ["signature"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("stand-in signature")),
                    });
                    break;
                case "bash" when OffersTool(request, BashTool):
                    call = (BashTool, new JsonObject { ["command"] = value, ["description"] = "Run the command the test asked for" }, value);
                    break;
                case "tool" when OffersTool(request, value):
                    call = (value, new JsonObject(), value);
                    break;
                case "error" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var status) && status is >= 400 and <= 599:
                    errorStatus = status;
                    break;
                case "hang":
                    hang = true;
                    break;
                case "sleep" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds):
                    sleep = TimeSpan.FromMilliseconds(milliseconds);
                    break;
            }
        }

        if (call is not { } tool)
        {
            content.Add(Text($"echo: {text}"));
            return new AnthropicReply(content, "end_turn") { ErrorStatus = errorStatus, Hang = hang, Sleep = sleep };
        }

        content.Add(new JsonObject
        {
            ["type"] = "tool_use",
            ["id"] = ToolId(messageCount, tool.Directive),
            ["name"] = tool.Name,
            ["input"] = tool.Input,
        });
        return new AnthropicReply(content, "tool_use") { ErrorStatus = errorStatus, Hang = hang, Sleep = sleep };
    }

    private static JsonObject Text(string text) => new() { ["type"] = "text", ["text"] = text };

    private static bool OffersTool(JsonObject request, string name) =>
        request["tools"] is JsonArray tools && tools.Any(tool => TextOf(tool?["name"]) == name);

    /// <summary>Unique within a conversation (a new id per request) yet the same for the same request.</summary>
    private static string ToolId(int messageCount, string directive) =>
        $"toolu_standin_{messageCount}_{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(directive)))[..12]}";

    private static string Flatten(JsonNode? content) => content switch
    {
        JsonValue value => TextOf(value) ?? "",
        JsonArray blocks => string.Join("\n", blocks.Select(block => TextOf(block?["text"])).OfType<string>()),
        _ => "",
    };

    private static string? TextOf(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    [GeneratedRegex(@"\[\[(?<name>bash|tool|think|error|hang|sleep)(?:\s*:(?<value>.*?))?\]\]", RegexOptions.Singleline)]
    private static partial Regex Directive();
}

/// <summary>The stand-in's answer: content blocks and stop reason, or an error status, after an optional pause or never.</summary>
internal sealed record AnthropicReply(IReadOnlyList<JsonObject> Content, string StopReason)
{
    public int? ErrorStatus { get; init; }

    public bool Hang { get; init; }

    public TimeSpan Sleep { get; init; }
}
