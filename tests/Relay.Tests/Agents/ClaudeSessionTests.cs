using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;
using Cerver.Relay.TestKit.ModelStandIns;

namespace Cerver.Relay.Tests.Agents;

/// <summary>
/// Claude Code as a Cerver session, end to end: the requests of the <c>cerver</c> CLI over HTTP,
/// the real daemon, the real <c>claude</c> in a bubblewrap sandbox, a stand-in Messages API.
/// </summary>
public sealed class ClaudeSessionTests : IAsyncLifetime
{
    private AgentDaemon _agents = null!;

    public async ValueTask InitializeAsync() => _agents = await AgentDaemon.StartAsync();

    public ValueTask DisposeAsync() => _agents.DisposeAsync();

    [Fact]
    public async Task The_cli_gets_the_agents_reply_and_the_session_remembers_the_claude_thread()
    {
        var cli = _agents.Cli;
        var compute = await cli.ReadyComputeAsync();
        var session = await cli.CreateSessionAsync("claude", compute, "say hi");

        await cli.SendAsync(session, "say hi");
        var (entries, total) = await cli.WaitForCompletionAsync(session);

        Assert.Equal("user", entries[0]["role"]!.GetValue<string>());
        Assert.Equal("say hi", entries[0]["content"]!.GetValue<string>());
        var text = entries.Single(entry => entry["kind"]!.GetValue<string>() == "text");
        Assert.Equal("assistant", text["role"]!.GetValue<string>());
        Assert.Equal("echo: say hi", text["content"]!.GetValue<string>());
        var completed = entries[^1];
        Assert.Equal("system", completed["role"]!.GetValue<string>());
        var payload = JsonNode.Parse(completed["content"]!.GetValue<string>())!.AsObject();
        Assert.Equal("session_completed", payload["type"]!.GetValue<string>());
        Assert.Equal(0, payload["exit_code"]!.GetValue<int>());
        Assert.True(payload["duration_ms"]!.GetValue<long>() > 0);
        Assert.All(entries, entry => Assert.True(DateTimeOffset.TryParse(entry["at"]!.GetValue<string>(), out _)));
        Assert.Equal(entries.Count, total);

        var detail = await cli.GetJsonAsync($"/v2/sessions/{session}");
        var metadata = detail["metadata"]!.AsObject();
        Assert.Equal("idle", detail["status"]!.GetValue<string>());
        Assert.Equal("claude", metadata["cli_tool"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(metadata["cli_session_id"]?.GetValue<string>()));
        Assert.Equal(AnthropicStandIn.Model, metadata["cli_model"]!.GetValue<string>());
        Assert.Equal(1, metadata["usage_total"]!["turns"]!.GetValue<int>());
        Assert.Equal("anthropic", metadata["cli_model_provider"]!.GetValue<string>());
        var sandbox = (await cli.GetJsonAsync($"/gateway/sessions/{session}"))["sandbox_id"]!.GetValue<string>();
        Assert.Equal(_agents.Daemon.WorkspaceOf(sandbox), metadata["working_dir"]!.GetValue<string>());
        Assert.True(metadata["usage_total"]!["output_tokens"]!.GetValue<long>() > 0);

        // The key of relay/agents.env reached the model API, and only through the agent.
        Assert.Contains(_agents.Anthropic.MessageRequests, request => request.Header("x-api-key") == AgentDaemon.AnthropicKey);
    }

    [Fact]
    public async Task A_tool_call_runs_in_the_sandbox_and_a_second_turn_resumes_the_thread()
    {
        var cli = _agents.Cli;
        var session = await cli.CreateSessionAsync("claude", await cli.ReadyComputeAsync(), "write a file");

        await cli.SendAsync(session, "[[bash: echo hi > f.txt]]");
        var (first, total) = await cli.WaitForCompletionAsync(session);

        var toolUse = first.Single(entry => entry["kind"]!.GetValue<string>() == "tool_use");
        Assert.Equal("Bash", toolUse["tool_name"]!.GetValue<string>());
        Assert.Equal("echo hi > f.txt", toolUse["tool_input"]!["command"]!.GetValue<string>());
        var toolResult = first.Single(entry => entry["kind"]!.GetValue<string>() == "tool_result");
        Assert.Equal("tool", toolResult["role"]!.GetValue<string>());
        Assert.Equal(toolUse["tool_id"]!.GetValue<string>(), toolResult["tool_id"]!.GetValue<string>());
        Assert.False(toolResult["is_error"]!.GetValue<bool>());
        var detail = await cli.GetJsonAsync($"/v2/sessions/{session}");
        var sandbox = await SandboxOfAsync(session);
        Assert.Equal("hi\n", File.ReadAllText(Path.Combine(_agents.Daemon.WorkspaceOf(sandbox), "f.txt")));
        var thread = detail["metadata"]!["cli_session_id"]!.GetValue<string>();

        await cli.SendAsync(session, "and now?");
        var (second, _) = await cli.WaitForCompletionAsync(session, since: total);

        Assert.Equal("echo: and now?", second.Single(entry => entry["kind"]!.GetValue<string>() == "text")["content"]!.GetValue<string>());
        var resumed = _agents.Anthropic.MessageRequests.Last(request => request.LatestUserText() == "and now?");
        Assert.Contains("echo hi > f.txt", resumed.Body, StringComparison.Ordinal);
        var after = await cli.GetJsonAsync($"/v2/sessions/{session}");
        Assert.Equal(thread, after["metadata"]!["cli_session_id"]!.GetValue<string>());
        Assert.Equal(2, after["metadata"]!["usage_total"]!["turns"]!.GetValue<int>());
    }

    private async Task<string> SandboxOfAsync(string sessionId)
    {
        using var response = await _agents.Daemon.Client.GetAsync($"/gateway/sessions/{sessionId}");
        return (await RelayDaemon.ReadJsonAsync(response, 200))["sandbox_id"]!.GetValue<string>();
    }
}
