using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cerver.Relay.TestKit.ModelStandIns;

/// <summary>One request the Responses stand-in received, as it arrived (header names lower-cased).</summary>
public sealed record ResponsesRecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The body as JSON, or null when it is not a JSON object.</summary>
    public JsonObject? Json
    {
        get
        {
            try
            {
                return Body.Length == 0 ? null : JsonNode.Parse(Body) as JsonObject;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>The <c>input</c> items of a <c>POST /v1/responses</c>, in order.</summary>
    public IReadOnlyList<JsonObject> Input => [.. (Json?["input"] as JsonArray ?? []).OfType<JsonObject>()];

    /// <summary>The text the latest user message says (see <see cref="ResponsesConversation.LatestUserText"/>).</summary>
    public string? LatestUserText => ResponsesConversation.LatestUserText(Input);
}
