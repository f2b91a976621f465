namespace Cerver.Relay.TestKit.AgentClis;

/// <summary>The agent CLIs the tests run for real, pinned so a new release cannot change a test's meaning.</summary>
public static class PinnedAgentClis
{
    public const string ClaudeCodePackage = "@anthropic-ai/claude-code";
    public const string ClaudeCodeVersion = "2.1.332";

    public const string CodexPackage = "@openai/codex";
    public const string CodexVersion = "0.171.0";

    /// <summary>The official MCP TypeScript SDK, the client the relay's MCP server is tested with.</summary>
    public const string McpSdkPackage = "@modelcontextprotocol/sdk";
    public const string McpSdkVersion = "1.32.2";

    /// <summary>The real <c>claude</c> command, installed on first use.</summary>
    public static async Task<string> ClaudeAsync(CancellationToken cancellationToken = default) =>
        NpmCliCache.BinOf(await NpmCliCache.InstallAsync(ClaudeCodePackage, ClaudeCodeVersion, cancellationToken), "claude");

    /// <summary>The folder the MCP SDK is installed in (its modules under <c>node_modules/@modelcontextprotocol/sdk</c>), installed on first use.</summary>
    public static Task<string> McpSdkAsync(CancellationToken cancellationToken = default) =>
        NpmCliCache.InstallAsync(McpSdkPackage, McpSdkVersion, cancellationToken);

    /// <summary>The real <c>codex</c> command, installed on first use.</summary>
    public static async Task<string> CodexAsync(CancellationToken cancellationToken = default) =>
        NpmCliCache.BinOf(await NpmCliCache.InstallAsync(CodexPackage, CodexVersion, cancellationToken), "codex");
}
