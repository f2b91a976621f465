using System.Text.Json.Nodes;

namespace Cerver.Gateway.Embedded.Sessions.Agents;

/// <summary>
/// What a session's metadata says about its agent <i>(observed keys)</i>: the CLI and model,
/// its own session id once it has one, the instructions to append, and whether the session
/// ends with its first turn.
/// </summary>
public sealed record AgentSessionSpec(string CliTool, string? CliModel, string? CliSessionId, string? AgentsMd, bool CompleteOnExit)
{
    public static AgentSessionSpec? From(JsonObject metadata) => SessionMetadata.Text(metadata, "cli_tool") is { } tool
        ? new AgentSessionSpec(tool, SessionMetadata.Text(metadata, "cli_model"), SessionMetadata.Text(metadata, "cli_session_id"),
            SessionMetadata.Text(metadata, "agents_md"),
            metadata["complete_on_exit"] is JsonValue value && value.TryGetValue<bool>(out var complete) && complete)
        : null;
}
