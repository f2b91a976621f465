using Cerver.Gateway.Embedded.Sessions.Wire;
using ModelContextProtocol.Protocol;

namespace Cerver.Relay.Mcp.Tools;

/// <summary>cerver_session_create: a new session, with a sandbox on the best compute, an agent, or a transcript only.</summary>
public sealed class SessionCreateTool(RelayApiClient api) : IMcpTool
{
    public Tool Definition { get; } = ToolSchemas.Define("cerver_session_create",
        "Create a session on the relay: a sandbox to run code in (cerver_run), optionally with a coding agent (cli_tool) to prompt (cerver_agent_turn), or a transcript-only session.",
        """
        {
          "type": "object",
          "properties": {
            "cli_tool": { "type": "string", "minLength": 1, "description": "The agent to run in the session: 'claude' (Claude Code) or 'codex' (Codex CLI). Leave out for code runs only." },
            "cli_model": { "type": "string", "minLength": 1, "description": "The agent's model, as the agent names it." },
            "session_name": { "type": "string", "minLength": 1, "maxLength": 200, "description": "A name for people to find the session by." },
            "task": { "type": "string", "minLength": 1, "description": "What the session is for; the relay routes by it." },
            "transcript_only": { "type": "boolean", "default": false, "description": "A session with a transcript and no sandbox." },
            "bootstrap_prompt": { "type": "string", "minLength": 1, "description": "A first prompt for the agent, started at once." }
          },
          "additionalProperties": false
        }
        """);

    public async Task<CallToolResult> CallAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var body = new CreateSessionBody(
            arguments.OptionalString("session_name"),
            arguments.OptionalString("task"),
            arguments.OptionalBoolean("transcript_only") ? "transcript" : null,
            new CreateSessionMetadata(arguments.OptionalString("cli_tool"), arguments.OptionalString("cli_model"), arguments.OptionalString("bootstrap_prompt")));
        var session = await api.PostAsync("/v2/sessions", body, McpJsonContext.Default.CreateSessionBody, GatewayJsonContext.Default.SessionResponse,
            RelayApiClient.RequestTimeout, cancellationToken);
        return ToolResults.Json(new CreatedSessionView(session.SessionId, session.SessionName, session.Status, session.Provider, session.ComputeId, session.SandboxId),
            McpJsonContext.Default.CreatedSessionView);
    }
}
