using Cerver.Gateway.Embedded.Sessions.Wire;
using Cerver.Relay.Sessions;
using ModelContextProtocol.Protocol;

namespace Cerver.Relay.Mcp.Tools;

/// <summary>cerver_session_export: a session's whole transcript as plain text.</summary>
public sealed class SessionExportTool(RelayApiClient api) : IMcpTool
{
    public Tool Definition { get; } = ToolSchemas.Define("cerver_session_export",
        "Export a session's whole transcript as plain text: one block per entry with its role/kind, time and content; tool calls show their input, tool results their output.",
        $$"""
        {
          "type": "object",
          "properties": {
            {{ToolSchemas.SessionId}}
          },
          "required": ["session_id"],
          "additionalProperties": false
        }
        """);

    public async Task<CallToolResult> CallAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var id = arguments.RequiredString("session_id");
        var detail = await api.GetAsync($"/v2/sessions/{Uri.EscapeDataString(id)}?full=1", V2JsonContext.Default.V2SessionDetail, cancellationToken);
        return ToolResults.Text(TranscriptText.Export(detail));
    }
}
