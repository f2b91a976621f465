using System.Globalization;
using Cerver.Gateway.Embedded.Sessions;
using Cerver.Gateway.Embedded.Sessions.Wire;
using ModelContextProtocol.Protocol;

namespace Cerver.Relay.Mcp.Tools;

/// <summary>cerver_session_list: recent sessions, newest first, optionally of one status.</summary>
public sealed class SessionListTool(RelayApiClient api) : IMcpTool
{
    /// <summary>What GET /v2/sessions filters on: the session statuses, and <c>ended</c> for terminated.</summary>
    public static readonly IReadOnlyList<string> Statuses = [.. SessionStatus.All, "ended"];

    public Tool Definition { get; } = ToolSchemas.Define("cerver_session_list",
        "List the relay's sessions, newest first: id, name, status, agent (cli_tool, cli_model) and transcript size.",
        $$"""
        {
          "type": "object",
          "properties": {
            "status": { "type": "string", "enum": [{{string.Join(", ", Statuses.Select(status => $"\"{status}\""))}}], "description": "Only sessions with this status; 'ended' is the same as 'terminated'." },
            "limit": { "type": "integer", "minimum": 1, "maximum": 100, "default": 20, "description": "How many sessions to list (1 to 100, default 20)." }
          },
          "additionalProperties": false
        }
        """);

    public async Task<CallToolResult> CallAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var status = arguments.OptionalChoice("status", Statuses);
        var limit = arguments.OptionalInteger("limit", 1, 100, 20);
        var query = $"/v2/sessions?limit={limit.ToString(CultureInfo.InvariantCulture)}" + (status is null ? "" : $"&status={status}");
        var list = await api.GetAsync(query, V2JsonContext.Default.V2SessionList, cancellationToken);
        var sessions = list.Sessions.Select(session => new SessionSummaryView(
            session.SessionId, session.SessionName, session.Status, session.ComputeId,
            session.Metadata["cli_tool"]?.ToString(), session.Metadata["cli_model"]?.ToString(),
            session.MessageCount, session.CreatedAt, session.UpdatedAt));
        return ToolResults.Json(new SessionListResult([.. sessions]), McpJsonContext.Default.SessionListResult);
    }
}
