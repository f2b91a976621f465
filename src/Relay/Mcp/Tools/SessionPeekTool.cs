using System.Globalization;
using Cerver.Gateway.Embedded.Sessions.Wire;
using ModelContextProtocol.Protocol;

namespace Cerver.Relay.Mcp.Tools;

/// <summary>cerver_session_peek: a session's status and the last entries of its transcript.</summary>
public sealed class SessionPeekTool(RelayApiClient api) : IMcpTool
{
    public const int MaxEntries = 1000;

    public Tool Definition { get; } = ToolSchemas.Define("cerver_session_peek",
        "Show a session's status and the last entries of its transcript (user inputs, the agent's text, thinking, tool calls and results, run results).",
        $$"""
        {
          "type": "object",
          "properties": {
            {{ToolSchemas.SessionId}},
            "last_n": { "type": "integer", "minimum": 1, "maximum": {{MaxEntries}}, "default": 10, "description": "How many of the last entries to show (1 to {{MaxEntries}}, default 10)." }
          },
          "required": ["session_id"],
          "additionalProperties": false
        }
        """);

    public async Task<CallToolResult> CallAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var id = arguments.RequiredString("session_id");
        var lastN = arguments.OptionalInteger("last_n", 1, MaxEntries, 10);
        var detail = await api.GetAsync($"/v2/sessions/{Uri.EscapeDataString(id)}?tail={lastN.ToString(CultureInfo.InvariantCulture)}", V2JsonContext.Default.V2SessionDetail, cancellationToken);
        return ToolResults.Json(new SessionPeekResult(detail.SessionId, detail.Status, detail.TranscriptTotal, [.. detail.Transcript.Select(TranscriptEntryView.From)]),
            McpJsonContext.Default.SessionPeekResult);
    }
}
