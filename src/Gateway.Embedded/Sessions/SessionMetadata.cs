using System.Text.Json.Nodes;
using Cerver.Relay.Compute.Agents;

namespace Cerver.Gateway.Embedded.Sessions;

/// <summary>Reads and keeps a session's free-form <c>metadata</c>, where callers put whatever JSON they like.</summary>
internal static class SessionMetadata
{
    /// <summary>Keeps <c>cli_session_id</c>, <c>cli_model</c>, <c>cli_model_provider</c> and <c>working_dir</c> current from what an agent said of its thread (observed metadata).</summary>
    public static void Remember(JsonObject metadata, AgentSessionEvent reported)
    {
        if (reported.CliSessionId is { } thread)
        {
            metadata["cli_session_id"] = thread;
        }

        if (reported.Model is { } model)
        {
            metadata["cli_model"] = model;
        }

        if (reported.ModelProvider is { } provider)
        {
            metadata["cli_model_provider"] = provider;
        }

        if (reported.WorkingDirectory is { } workingDirectory)
        {
            metadata["working_dir"] = workingDirectory;
        }
    }

    /// <summary>The string under <paramref name="key"/>; null when it is missing, empty or not a string, so a stray value never counts as set.</summary>
    public static string? Text(JsonObject metadata, string key) =>
        metadata[key] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
