using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cerver.Relay.TestKit.ModelStandIns;

/// <summary>One request the Anthropic stand-in received, as it arrived.</summary>
public sealed record AnthropicRecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>A call of the Messages API (not its token counter).</summary>
    public bool IsMessages => Method == "POST" && Path == "/v1/messages";

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The body as a JSON object; null when it is not one.</summary>
    public JsonObject? Json()
    {
        try
        {
            return JsonNode.Parse(Body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The text the stand-in took its directives from (see <see cref="AnthropicScript"/>).</summary>
    public string? LatestUserText() => Json() is { } json ? AnthropicScript.LatestUser(json).Text : null;
}
