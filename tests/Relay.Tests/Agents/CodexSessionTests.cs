using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Agents;

/// <summary>
/// Codex as a Cerver session, end to end with the real <c>codex</c> in a bubblewrap sandbox
/// against a stand-in Responses API; and a session that switches from Claude Code to Codex.
/// </summary>
public sealed class CodexSessionTests : IAsyncLifetime
{
    private AgentDaemon _agents = null!;

    public async ValueTask InitializeAsync() => _agents = await AgentDaemon.StartAsync();

    public ValueTask DisposeAsync() => _agents.DisposeAsync();

    [Fact]
    public async Task A_codex_session_runs_a_command_in_the_sandbox_and_resumes_its_thread()
    {
        var cli = _agents.Cli;
        var session = await cli.CreateSessionAsync("codex", await cli.ReadyComputeAsync(), "codex");

        await cli.SendAsync(session, "[[bash: echo from-codex > g.txt]]");
        var (first, total) = await cli.WaitForCompletionAsync(session);

        Assert.Equal(0, JsonNode.Parse(first[^1]["content"]!.GetValue<string>())!["exit_code"]!.GetValue<int>());
        Assert.Contains(first, entry => entry["kind"]!.GetValue<string>() == "tool_use");
        Assert.Contains(first, entry => entry["kind"]!.GetValue<string>() == "tool_result");
        using var detail = await _agents.Daemon.Client.GetAsync($"/gateway/sessions/{session}");
        var sandbox = (await RelayDaemon.ReadJsonAsync(detail, 200))["sandbox_id"]!.GetValue<string>();
        Assert.Equal("from-codex\n", File.ReadAllText(Path.Combine(_agents.Daemon.WorkspaceOf(sandbox), "g.txt")));
        var metadata = (await cli.GetJsonAsync($"/v2/sessions/{session}"))["metadata"]!;
        var thread = metadata["cli_session_id"]!.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(thread));

        await cli.SendAsync(session, "and then?");
        var (second, _) = await cli.WaitForCompletionAsync(session, since: total);

        Assert.Contains(second, entry => entry["content"]!.GetValue<string>() == "echo: and then?");
        Assert.Equal(thread, (await cli.GetJsonAsync($"/v2/sessions/{session}"))["metadata"]!["cli_session_id"]!.GetValue<string>());
        Assert.Contains(_agents.OpenAi.ResponseRequests, request => request.Body.Contains("from-codex", StringComparison.Ordinal) && request.Body.Contains("and then?", StringComparison.Ordinal));

        // Each harness gets its own key only: the Anthropic key never reached Codex's endpoint.
        Assert.All(_agents.OpenAi.Requests, request => Assert.DoesNotContain(AgentDaemon.AnthropicKey,
            string.Join("\n", request.Headers.Values) + request.Body, StringComparison.Ordinal));
        Assert.Contains(_agents.OpenAi.ResponseRequests, request => request.Headers.GetValueOrDefault("authorization") == "Bearer " + AgentDaemon.OpenAiKey);
    }

    [Fact]
    public async Task Compare_peek_sessions_and_show_read_two_agents_as_the_cli_does()
    {
        var cli = _agents.Cli;
        var compute = await cli.ReadyComputeAsync();
        var sessions = await Task.WhenAll(new[] { "claude", "codex" }.Select(tool => cli.CreateSessionAsync(tool, compute, "compare")));

        // compare: the same prompt to each agent at once, each polled to its completion.
        await Task.WhenAll(sessions.Select(session => cli.SendAsync(session, "which is faster?")));
        var answers = await Task.WhenAll(sessions.Select(session => cli.WaitForCompletionAsync(session)));
        Assert.All(answers, answer => Assert.Contains(answer.Entries, entry => entry["content"]!.GetValue<string>() == "echo: which is faster?"));

        // sessions: both listed with their agent.
        var listed = (await cli.GetJsonAsync("/v2/sessions?limit=50"))["sessions"]!.AsArray().Select(node => node!.AsObject()).ToList();
        Assert.Equal(["claude", "codex"], sessions.Select(id => listed.Single(s => s["sessionId"]!.GetValue<string>() == id)["metadata"]!["cli_tool"]!.GetValue<string>()));

        // peek: the last entries; show: the whole transcript.
        var peek = await cli.GetJsonAsync($"/v2/sessions/{sessions[1]}?tail=1");
        Assert.Equal("session_completed", Assert.Single(peek["transcript"]!.AsArray())!["kind"]!.GetValue<string>());
        var show = await cli.GetJsonAsync($"/v2/sessions/{sessions[1]}?full=1");
        Assert.Equal(show["transcriptTotal"]!.GetValue<int>(), show["transcript"]!.AsArray().Count);
        Assert.Equal(answers[1].Total, show["transcriptTotal"]!.GetValue<int>());
    }

    [Fact]
    public async Task Switching_from_claude_to_codex_carries_the_conversation_to_the_new_agent()
    {
        var cli = _agents.Cli;
        var session = await cli.CreateSessionAsync("claude", await cli.ReadyComputeAsync(), "switch");
        await cli.SendAsync(session, "remember the word pelican");
        var (_, total) = await cli.WaitForCompletionAsync(session);

        using var switched = await _agents.Daemon.Client.PostAsync($"/v2/sessions/{session}/switch-tool",
            System.Net.Http.Json.JsonContent.Create(new { cli_tool = "codex", content = "which word?" }));
        var state = await RelayDaemon.ReadJsonAsync(switched, 200);
        Assert.Equal("codex", state["metadata"]!["cli_tool"]!.GetValue<string>());

        var (entries, _) = await cli.WaitForCompletionAsync(session, since: total);
        var toolSwitch = entries.Single(entry => entry["kind"]!.GetValue<string>() == "tool_switch");
        Assert.Equal("claude", JsonNode.Parse(toolSwitch["content"]!.GetValue<string>())!["from"]!.GetValue<string>());
        var codexTurn = _agents.OpenAi.ResponseRequests.Single(request => request.Body.Contains("which word?", StringComparison.Ordinal));
        Assert.Contains("remember the word pelican", codexTurn.Body, StringComparison.Ordinal);
        var metadata = (await cli.GetJsonAsync($"/v2/sessions/{session}"))["metadata"]!;
        Assert.Equal(2, metadata["usage_total"]!["turns"]!.GetValue<int>());
    }
}
