using ModelContextProtocol.Protocol;

namespace Cerver.Relay.Mcp;

/// <summary>One tool the relay's MCP server offers: its definition (with a hand-written JSON Schema) and its call.</summary>
public interface IMcpTool
{
    Tool Definition { get; }

    /// <summary>Runs the call; a failure the caller can act on is a <see cref="McpToolException"/>.</summary>
    Task<CallToolResult> CallAsync(ToolArguments arguments, CancellationToken cancellationToken);
}
