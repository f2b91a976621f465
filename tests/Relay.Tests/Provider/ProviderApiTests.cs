using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Provider;
using Cerver.Relay.Tests.Agents;
using Cerver.Relay.Tests.Infrastructure;
using Cerver.Relay.TestKit.ModelStandIns;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Tests.Provider;

/// <summary>
/// The hosted gateway's paths on the relay (SPEC 11) with the real daemon, the real Claude Code
/// in a bubblewrap sandbox and a stand-in Messages API: a provider sandbox is a real sandbox
/// and its run is a turn of its agent.
/// </summary>
public sealed class ProviderApiTests : IAsyncLifetime
{
    private AgentDaemon _agents = null!;

    private HttpClient Client => _agents.Daemon.Client;

    public async ValueTask InitializeAsync() => _agents = await AgentDaemon.StartAsync();

    public ValueTask DisposeAsync() => _agents.DisposeAsync();

    [Fact]
    public async Task A_provider_sandbox_runs_turns_of_its_agent_resuming_its_thread_until_deleted()
    {
        var provider = await RelayDaemon.ReadJsonAsync(await Client.GetAsync("/api/cerver/provider", TestContext.Current.CancellationToken), 200);
        Assert.Equal("cerver_local_provider", provider["provider"]!.GetValue<string>());
        Assert.Contains(provider["capabilities"]!["cli_tools"]!.AsArray(), tool => tool!.GetValue<string>() == "claude");

        var created = await RelayDaemon.ReadJsonAsync(await Client.PostAsync("/api/cerver/provider/sandboxes", RelayDaemon.Json(
            """{"engine": "claude", "timeout_ms": 600000, "metadata": {"cli_tool": "claude", "cerver_session_id": "ses_provider_test", "agents_md": "Be brief."}}"""), TestContext.Current.CancellationToken), 200);
        var id = created["sandbox_id"]!.GetValue<string>();
        Assert.Equal(id, created["remote_sandbox_id"]!.GetValue<string>());
        Assert.Equal("ready", created["status"]!.GetValue<string>());
        Assert.Equal("ses_provider_test", created["metadata"]!["cerver_session_id"]!.GetValue<string>());
        Assert.True(Directory.Exists(_agents.Daemon.WorkspaceOf(id)), "a provider sandbox is a real sandbox");

        var first = await RunAsync(id, "say hi");
        Assert.True(first["success"]!.GetValue<bool>(), first.ToJsonString());
        Assert.Equal("started", first["action"]!.GetValue<string>());
        Assert.Equal("echo: say hi", first["stdout"]!.GetValue<string>());
        Assert.Equal(0, first["exit_code"]!.GetValue<int>());
        var thread = first["session_id"]!.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(thread));
        Assert.Contains(_agents.Anthropic.MessageRequests, request => request.Body.Contains("Be brief.", StringComparison.Ordinal));

        var second = await RunAsync(id, "again");
        Assert.Equal("resumed", second["action"]!.GetValue<string>());
        Assert.Equal(thread, second["session_id"]!.GetValue<string>());

        using var streamed = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/cerver/provider/sandboxes/{id}/run/stream")
        {
            Content = RelayDaemon.Json("""{"code": "[[bash: echo from the agent > f.txt]]"}"""),
        }, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        var events = await ServerSentEvents.ReadAllAsync(streamed);
        Assert.Equal("started", events[0].Name);
        Assert.Contains(events, e => e.Name == "entry" && JsonNode.Parse(e.Data)!["kind"]!.GetValue<string>() == "tool_use");
        Assert.Equal("completed", events[^1].Name);
        Assert.Equal("from the agent\n", File.ReadAllText(Path.Combine(_agents.Daemon.WorkspaceOf(id), "f.txt")));
        var state = await RelayDaemon.ReadJsonAsync(await Client.GetAsync($"/api/cerver/provider/sandboxes/{id}/files?path=f.txt", TestContext.Current.CancellationToken), 200);
        Assert.Equal("from the agent\n", state["content"]!.GetValue<string>());

        var deleted = await RelayDaemon.ReadJsonAsync(await Client.DeleteAsync($"/api/cerver/provider/sandboxes/{id}", TestContext.Current.CancellationToken), 200);
        Assert.Equal("terminated", deleted["status"]!.GetValue<string>());
        Assert.False(Directory.Exists(_agents.Daemon.WorkspaceOf(id)));
        Assert.Equal("sandbox_not_found", await RelayDaemon.ReadErrorAsync(await Client.PostAsync($"/api/cerver/provider/sandboxes/{id}/run", RelayDaemon.Json("""{"code": "hello?"}"""), TestContext.Current.CancellationToken), 404));
    }

    [Fact]
    public async Task Bad_input_and_a_second_turn_at_once_are_refused_with_clear_errors()
    {
        Assert.Equal("invalid_request", await RelayDaemon.ReadErrorAsync(await Client.PostAsync("/api/cerver/provider/sandboxes", RelayDaemon.Json("""{"metadata": {"cli_tool": "notepad"}}"""), TestContext.Current.CancellationToken), 400));
        Assert.Equal("invalid_request", await RelayDaemon.ReadErrorAsync(await Client.PostAsync("/api/cerver/provider/sandboxes", RelayDaemon.Json("""{"metadata": {"env": {"A": 1}}}"""), TestContext.Current.CancellationToken), 400));
        Assert.Equal("sandbox_not_found", await RelayDaemon.ReadErrorAsync(await Client.PostAsync("/api/cerver/provider/sandboxes/sbx_nope/run", RelayDaemon.Json("""{"code": "hi"}"""), TestContext.Current.CancellationToken), 404));
        Assert.Equal("sandbox_not_found", await RelayDaemon.ReadErrorAsync(await Client.PostAsync("/api/cerver/provider/sandboxes/..%2F..%2Fetc/run", RelayDaemon.Json("""{"code": "hi"}"""), TestContext.Current.CancellationToken), 404));

        var id = (await RelayDaemon.ReadJsonAsync(await Client.PostAsync("/api/cerver/provider/sandboxes", RelayDaemon.Json("{}"), TestContext.Current.CancellationToken), 200))["sandbox_id"]!.GetValue<string>();
        Assert.Equal("invalid_request", await RelayDaemon.ReadErrorAsync(await Client.PostAsync($"/api/cerver/provider/sandboxes/{id}/run", RelayDaemon.Json("""{"timeout": 5}"""), TestContext.Current.CancellationToken), 400));

        var slow = RunAsync(id, "[[sleep: 3000]] take your time");
        var agents = _agents.Daemon.App.Services.GetRequiredService<ProviderAgents>();
        while (!agents.IsRunning(id))
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal("turn_running", await RelayDaemon.ReadErrorAsync(await Client.PostAsync($"/api/cerver/provider/sandboxes/{id}/run", RelayDaemon.Json("""{"code": "me too"}"""), TestContext.Current.CancellationToken), 409));
        Assert.True((await slow)["success"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Agent_input_runs_a_turn_in_the_background_and_recovers_an_agent_the_relay_lost()
    {
        var agents = _agents.Daemon.App.Services.GetRequiredService<ProviderAgents>();
        var id = (await RelayDaemon.ReadJsonAsync(await Client.PostAsync("/api/cerver/provider/sandboxes", RelayDaemon.Json("{}"), TestContext.Current.CancellationToken), 200))["sandbox_id"]!.GetValue<string>();

        var started = await RelayDaemon.ReadJsonAsync(await Client.PostAsync($"/api/local-claude/agents/{id}/input", RelayDaemon.Json("""{"input": "say hi", "cli_tool": "claude"}"""), TestContext.Current.CancellationToken), 200);
        Assert.Equal("started", started["action"]!.GetValue<string>());
        Assert.Equal(id, started["agent_id"]!.GetValue<string>());
        var thread = await ThreadWhenIdleAsync(agents, id);
        Assert.Contains(_agents.Anthropic.MessageRequests, request => request.Body.Contains("say hi", StringComparison.Ordinal));

        Assert.Equal("sandbox_not_found", await RelayDaemon.ReadErrorAsync(await Client.PostAsync("/api/local-claude/agents/sbx_gone000000000000000000/input", RelayDaemon.Json("""{"input": "hello"}"""), TestContext.Current.CancellationToken), 404));
        var recovered = await RelayDaemon.ReadJsonAsync(await Client.PostAsync("/api/local-claude/agents/sbx_gone000000000000000000/input",
            RelayDaemon.Json($$"""{"input": "still there?", "cli_session_id": "{{thread}}", "cerver_session_id": "ses_recovered"}"""), TestContext.Current.CancellationToken), 200);
        Assert.Equal("resumed", recovered["action"]!.GetValue<string>());
        var newId = recovered["agent_id"]!.GetValue<string>();
        Assert.NotEqual("sbx_gone000000000000000000", newId);
        Assert.Equal("ses_recovered", agents.Find(newId)!.CerverSessionId);
        await ThreadWhenIdleAsync(agents, newId);
    }

    private async Task<JsonObject> RunAsync(string id, string prompt) =>
        await RelayDaemon.ReadJsonAsync(await Client.PostAsync($"/api/cerver/provider/sandboxes/{id}/run", RelayDaemon.Json(new JsonObject { ["code"] = prompt }.ToJsonString()), TestContext.Current.CancellationToken), 200);

    /// <summary>The CLI's thread once the sandbox's turn is over.</summary>
    private static async Task<string> ThreadWhenIdleAsync(ProviderAgents agents, string id)
    {
        while (agents.IsRunning(id) || agents.Find(id)?.CliSessionId is null)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        return agents.Find(id)!.CliSessionId!;
    }
}
