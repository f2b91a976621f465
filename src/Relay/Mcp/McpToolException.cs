namespace Cerver.Relay.Mcp;

/// <summary>A tool call that failed for a reason the caller can act on: its message is the one sentence the tool result carries (<c>isError: true</c>).</summary>
public sealed class McpToolException(string message) : Exception(message);
