using System.Text.Json;
using Cerver.Relay.Mcp.Tools;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Cerver.Relay.Mcp;

/// <summary>The relay's MCP tools, listed and called by name; the same set on stdio and on <c>/mcp</c>.</summary>
public sealed class RelayMcpTools
{
    private readonly Dictionary<string, (IMcpTool Tool, IReadOnlyCollection<string> Arguments)> _tools;

    public RelayMcpTools(IEnumerable<IMcpTool> tools)
    {
        _tools = tools.ToDictionary(tool => tool.Definition.Name, tool => (tool, ToolSchemas.ArgumentNames(tool.Definition)), StringComparer.Ordinal);
    }

    public static RelayMcpTools Create(RelayApiClient api, TimeProvider time) => new(
    [
        new SessionListTool(api),
        new SessionPeekTool(api),
        new SessionExportTool(api),
        new SecretFetchTool(),
        new SessionCreateTool(api),
        new RunTool(api),
        new AgentTurnTool(api, time),
    ]);

    public IList<Tool> Definitions => [.. _tools.Values.Select(entry => entry.Tool.Definition)];

    /// <summary>
    /// Calls a tool. An unknown name is a protocol error (invalid params), as the MCP spec has it;
    /// a failure of a known tool is a result with <c>isError</c>, which the model gets to read.
    /// </summary>
    public async ValueTask<CallToolResult> CallAsync(string name, IDictionary<string, JsonElement>? arguments, CancellationToken cancellationToken)
    {
        if (!_tools.TryGetValue(name, out var entry))
        {
            var shown = name.Length <= 64 ? name : string.Concat(name.AsSpan(0, 64), "…");
            throw new McpProtocolException($"Unknown tool '{shown}'; this server's tools are {string.Join(", ", _tools.Keys)}.", McpErrorCode.InvalidParams);
        }

        try
        {
            return await entry.Tool.CallAsync(new ToolArguments(name, arguments, entry.Arguments), cancellationToken);
        }
        catch (McpToolException failure)
        {
            return ToolResults.Error(failure.Message);
        }
    }
}
