using System.Text.Json.Nodes;

namespace Cerver.Gateway.Embedded.Sessions;

/// <summary>Reads a session's free-form <c>metadata</c>, where callers put whatever JSON they like.</summary>
internal static class SessionMetadata
{
    /// <summary>The string under <paramref name="key"/>; null when it is missing, empty or not a string, so a stray value never counts as set.</summary>
    public static string? Text(JsonObject metadata, string key) =>
        metadata[key] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
