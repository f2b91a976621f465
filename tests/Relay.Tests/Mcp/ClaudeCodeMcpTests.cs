using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Agents;
using Cerver.Relay.Tests.Infrastructure;
using Cerver.Relay.TestKit.AgentClis;
using Cerver.Relay.TestKit.ModelStandIns;

namespace Cerver.Relay.Tests.Mcp;

/// <summary>
/// The real Claude Code with the relay in its MCP config (<c>cerver-relay mcp</c> on stdio), run
/// by the test itself and not in a relay sandbox (sandboxes never hold the relay's token). The
/// stand-in model calls cerver_session_list, and the tool's answer must reach both the turn's
/// output and the model.
/// </summary>
public sealed class ClaudeCodeMcpTests(McpDaemon daemon) : IClassFixture<McpDaemon>
{
    private const string Tool = "mcp__cerver__cerver_session_list";

    [Fact]
    public async Task The_model_calls_cerver_session_list_and_gets_the_relays_sessions()
    {
        var claude = await PinnedAgentClis.ClaudeAsync();
        await using var anthropic = await AnthropicStandIn.StartAsync();
        using var work = new TempDirectory("cerver-claude-mcp");
        var config = Path.Combine(work.Path, "mcp.json");
        var server = TypeScriptMcpClient.Stdio(daemon.Home);
        File.WriteAllText(config, new JsonObject
        {
            ["mcpServers"] = new JsonObject
            {
                ["cerver"] = new JsonObject { ["command"] = server["command"]!.DeepClone(), ["args"] = server["args"]!.DeepClone(), ["env"] = server["env"]!.DeepClone() },
            },
        }.ToJsonString());
        var configDirectory = Directory.CreateDirectory(Path.Combine(work.Path, "claude-config")).FullName;

        var result = await ChildProcess.RunAsync(claude,
            ["-p", $"[[tool: {Tool}]]", "--output-format", "stream-json", "--verbose", "--mcp-config", config, "--strict-mcp-config", "--permission-mode", "bypassPermissions"],
            TimeSpan.FromMinutes(3),
            new Dictionary<string, string?>
            {
                ["IS_SANDBOX"] = "1",
                ["ANTHROPIC_BASE_URL"] = anthropic.BaseUrl,
                ["ANTHROPIC_API_KEY"] = AgentDaemon.AnthropicKey,
                ["CLAUDE_CONFIG_DIR"] = configDirectory,
                ["DISABLE_AUTOUPDATER"] = "1",
                ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
                // Claude Code otherwise defers MCP tools behind its ToolSearch tool: the model would
                // have to search before it could call one, which the stand-in does not script.
                ["ENABLE_TOOL_SEARCH"] = "false",
            });

        Assert.True(result.ExitCode == 0, $"claude failed ({result.ExitCode}): {result.Output}");
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!.AsObject()).ToList();
        var init = lines.First(line => line["type"]!.GetValue<string>() == "system" && line["subtype"]?.GetValue<string>() == "init");
        Assert.Contains(init["mcp_servers"]!.AsArray(), entry => entry!["name"]!.GetValue<string>() == "cerver" && entry["status"]!.GetValue<string>() == "connected");
        var offered = anthropic.MessageRequests.Select(request => request.Json()!["tools"]?.AsArray().Select(tool => tool!["name"]!.GetValue<string>()) ?? []).FirstOrDefault() ?? [];
        var toolUses = lines.Where(line => line["type"]!.GetValue<string>() == "assistant")
            .SelectMany(line => line["message"]!["content"]!.AsArray())
            .Where(block => block!["type"]!.GetValue<string>() == "tool_use").ToList();
        Assert.True(toolUses.Count == 1, $"tools offered: {string.Join(", ", offered)}; output: {result.Stdout}");
        var toolUse = toolUses[0];
        Assert.Equal(Tool, toolUse!["name"]!.GetValue<string>());
        var toolResult = lines.Where(line => line["type"]!.GetValue<string>() == "user")
            .SelectMany(line => line["message"]!["content"]!.AsArray())
            .Single(block => block!["type"]!.GetValue<string>() == "tool_result");
        Assert.Equal(toolUse["id"]!.GetValue<string>(), toolResult!["tool_use_id"]!.GetValue<string>());
        Assert.NotEqual(true, toolResult["is_error"]?.GetValue<bool>());
        Assert.Contains(daemon.SessionId, toolResult["content"]!.ToJsonString(), StringComparison.Ordinal);
        var final = lines.Single(line => line["type"]!.GetValue<string>() == "result");
        Assert.StartsWith("tool said: ", final["result"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(daemon.SessionId, final["result"]!.GetValue<string>(), StringComparison.Ordinal);

        var requests = anthropic.MessageRequests.Select(request => request.Json()!).ToList();
        Assert.Contains(requests, request => request["tools"]!.AsArray().Any(tool => tool!["name"]!.GetValue<string>() == Tool));
        var answered = requests.Single(request => AnthropicScript.LatestUser(request).IsToolResult);
        Assert.Contains(daemon.SessionId, AnthropicScript.LatestUser(answered).Text, StringComparison.Ordinal);
    }
}
