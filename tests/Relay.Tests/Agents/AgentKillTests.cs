using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;
using Cerver.Relay.TestKit.AgentClis;
using Cerver.Relay.TestKit.ModelStandIns;

namespace Cerver.Relay.Tests.Agents;

/// <summary>A daemon process killed with SIGKILL mid-turn: the agent dies with it, and the next start closes the turn.</summary>
public sealed class AgentKillTests
{
    [Fact]
    public async Task A_daemon_killed_mid_turn_leaves_no_agent_and_its_next_start_closes_the_turn()
    {
        var claude = await PinnedAgentClis.ClaudeAsync();
        await using var anthropic = await AnthropicStandIn.StartAsync();
        using var home = new TempDirectory("cerver-home");
        AgentDaemon.WriteAnthropicEnv(Directory.CreateDirectory(Path.Combine(home.Path, "relay")).FullName, anthropic);
        var environment = new Dictionary<string, string> { ["CERVER_AGENT_PATH"] = Path.GetDirectoryName(claude)! };
        string session;
        string sandbox;
        int port;
        using (var relay = await RelayProcess.StartAsync(home.Path, environment: environment))
        {
            port = relay.Port;
            var cli = new CerverCliClient(Client(home.Path, port));
            session = await cli.CreateSessionAsync("claude", await cli.ReadyComputeAsync(), "kill");
            sandbox = (await cli.GetJsonAsync($"/gateway/sessions/{session}"))["sandbox_id"]!.GetValue<string>();
            await cli.SendAsync(session, "[[sleep: 120000]] long");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!anthropic.MessageRequests.Any(request => request.LatestUserText() == "[[sleep: 120000]] long"))
            {
                Assert.True(DateTime.UtcNow < deadline, "the agent never called its model");
                await Task.Delay(100);
            }

            relay.Kill();
            await relay.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        // The sandbox dies with the daemon (die-with-parent): no agent process is left to wait for a restart.
        Assert.Equal(0, await ProcessTable.WaitUntilGoneAsync(sandbox, TimeSpan.FromSeconds(20)));

        using var restarted = await RelayProcess.StartAsync(home.Path, port, environment);
        var next = new CerverCliClient(Client(home.Path, restarted.Port));
        var (entries, _) = await next.WaitForCompletionAsync(session);

        Assert.Contains("The relay stopped while this turn was running", entries.Single(entry => entry["kind"]!.GetValue<string>() == "text")["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(137, JsonNode.Parse(entries[^1]["content"]!.GetValue<string>())!["exit_code"]!.GetValue<int>());
        // The agent's own thread was cut mid-write: the next turn starts a fresh one with the conversation.
        Assert.Null((await next.GetJsonAsync($"/v2/sessions/{session}"))["metadata"]!["cli_session_id"]);
        Assert.Equal("idle", (await next.GetJsonAsync($"/v2/sessions/{session}"))["status"]!.GetValue<string>());
    }

    private static HttpClient Client(string home, int port)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(home, "relay", "local.token")).Trim());
        return client;
    }
}
