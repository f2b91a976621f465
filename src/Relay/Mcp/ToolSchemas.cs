using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace Cerver.Relay.Mcp;

/// <summary>
/// Tool definitions from hand-written JSON Schemas: the release binary is trimmed, so nothing is
/// derived by reflection from method signatures. Every schema is an object that allows no other
/// properties; its property names are the arguments <see cref="ToolArguments"/> accepts.
/// </summary>
public static class ToolSchemas
{
    public static Tool Define(string name, string description, string schema)
    {
        using var document = JsonDocument.Parse(schema);
        return new Tool { Name = name, Description = description, InputSchema = document.RootElement.Clone() };
    }

    /// <summary>The argument names a tool's schema declares.</summary>
    public static IReadOnlyCollection<string> ArgumentNames(Tool tool) =>
        tool.InputSchema.TryGetProperty("properties", out var properties)
            ? [.. properties.EnumerateObject().Select(property => property.Name)]
            : [];

    /// <summary>The schema's <c>session_id</c> property, the same in every tool that takes one.</summary>
    public const string SessionId = """
        "session_id": { "type": "string", "minLength": 1, "maxLength": 200, "description": "The session id (ses_…), as cerver_session_list or cerver_session_create give it." }
        """;

    /// <summary>The schema's <c>timeout_seconds</c> property (1 to 3600), with what it limits.</summary>
    public static string TimeoutSeconds(string description) => $$"""
        "timeout_seconds": { "type": "integer", "minimum": 1, "maximum": 3600, "description": "{{description}}" }
        """;
}
