using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol.Protocol;

namespace Cerver.Relay.Mcp;

/// <summary>How the tools answer: always text content; a JSON result also as structuredContent.</summary>
public static class ToolResults
{
    public static CallToolResult Text(string text) => new() { Content = [new TextContentBlock { Text = text }] };

    /// <param name="text">The text content when the JSON itself is not the best reading (a transcript); by default the JSON.</param>
    public static CallToolResult Json<T>(T value, JsonTypeInfo<T> type, string? text = null)
    {
        var element = JsonSerializer.SerializeToElement(value, type);
        return new CallToolResult { Content = [new TextContentBlock { Text = text ?? element.GetRawText() }], StructuredContent = element };
    }

    public static CallToolResult Error(string message) => new() { Content = [new TextContentBlock { Text = message }], IsError = true };
}
