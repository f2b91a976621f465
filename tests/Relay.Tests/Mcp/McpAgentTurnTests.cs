using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Agents;
using Cerver.Relay.TestKit.ModelStandIns;
using static Cerver.Relay.Tests.Mcp.TypeScriptMcpClient;

namespace Cerver.Relay.Tests.Mcp;

/// <summary>cerver_agent_turn with the real Claude Code in the relay's sandbox, against the stand-in Messages API, called by the TypeScript SDK over <c>/mcp</c>.</summary>
public sealed class McpAgentTurnTests : IAsyncLifetime
{
    private AgentDaemon _agents = null!;

    public async ValueTask InitializeAsync() => _agents = await AgentDaemon.StartAsync();

    public ValueTask DisposeAsync() => _agents.DisposeAsync();

    [Fact]
    public async Task A_prompt_comes_back_with_the_agents_reply_once_its_turn_completed()
    {
        var session = await _agents.Cli.CreateSessionAsync("claude", await _agents.Cli.ReadyComputeAsync(), "mcp turn");

        var events = await RunAsync(Http(_agents.Daemon.BaseUrl, _agents.Daemon.Token),
            Call("cerver_agent_turn", new JsonObject { ["session_id"] = session, ["prompt"] = "say hi over mcp", ["timeout_seconds"] = 300 }));

        var turn = McpCalls.Of(events, "cerver_agent_turn");
        var text = McpCalls.SuccessText(turn);
        Assert.Contains("assistant/text", text, StringComparison.Ordinal);
        Assert.Contains("echo: say hi over mcp", text, StringComparison.Ordinal);
        Assert.Contains("turn ended: exit_code 0", text, StringComparison.Ordinal);
        var view = turn["result"]!["structuredContent"]!;
        Assert.Equal(0, view["exit_code"]!.GetValue<int>());
        Assert.Equal(1, view["total_usage"]!["turns"]!.GetValue<int>());
        var reply = view["entries"]!.AsArray().Single(entry => entry!["kind"]!.GetValue<string>() == "text");
        Assert.Equal("echo: say hi over mcp", reply!["content"]!.GetValue<string>());
        Assert.DoesNotContain(view["entries"]!.AsArray(), entry => entry!["kind"]!.GetValue<string>() == "session_completed");
        Assert.Contains(_agents.Anthropic.MessageRequests, request => request.LatestUserText() == "say hi over mcp");
    }

    [Fact]
    public async Task A_turn_that_outlasts_the_wait_is_left_running_and_a_second_prompt_is_refused_meanwhile()
    {
        var session = await _agents.Cli.CreateSessionAsync("claude", await _agents.Cli.ReadyComputeAsync(), "mcp slow turn");

        var events = await RunAsync(Http(_agents.Daemon.BaseUrl, _agents.Daemon.Token),
            Call("cerver_agent_turn", new JsonObject { ["session_id"] = session, ["prompt"] = "[[hang]]", ["timeout_seconds"] = 1 }),
            Call("cerver_agent_turn", new JsonObject { ["session_id"] = session, ["prompt"] = "and now?" }));

        Assert.Equal($"The turn in session {session} is still running after 1 s; read it later with cerver_session_peek (session_id {session}).",
            McpCalls.ErrorText(McpCalls.Of(events, "cerver_agent_turn", 0)));
        Assert.Equal($"Session {session} is in a turn already; wait for it to end (cerver_session_peek shows its session_completed), then send the prompt.",
            McpCalls.ErrorText(McpCalls.Of(events, "cerver_agent_turn", 1)));
        var detail = await _agents.Cli.GetJsonAsync($"/v2/sessions/{session}");
        Assert.Equal("running", detail["status"]!.GetValue<string>());
        Assert.DoesNotContain(detail["transcript"]!.AsArray(), entry => entry!["content"]!.GetValue<string>() == "and now?");
    }
}
