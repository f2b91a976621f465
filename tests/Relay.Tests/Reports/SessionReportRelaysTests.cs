using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Connect;
using Cerver.Relay.Link;
using Cerver.Relay.Reports;
using Cerver.Relay.Tests.Agents;
using Cerver.Relay.Tests.Infrastructure;
using Cerver.Relay.TestKit.AgentClis;
using Cerver.Relay.TestKit.ModelStandIns;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Tests.Reports;

/// <summary>
/// Two real relays: B is registered with A, and its provider sandbox's agent (the real Claude Code
/// against a stand-in model) reports to a session on A through A's real endpoints — with A down
/// for the whole turn and back after it, and with the turn sent over B's connect channel as the hosted
/// gateway sends it and cut by a restart of B.
/// </summary>
public sealed class SessionReportRelaysTests
{
    private const string AccountKey = "ck_reports_test_account_key_0123456789ab";

    [Fact]
    public async Task A_turn_run_while_the_gateway_is_down_reaches_its_session_once_and_in_order_when_it_is_back()
    {
        var claude = await PinnedAgentClis.ClaudeAsync(TestContext.Current.CancellationToken);
        await using var anthropic = await AnthropicStandIn.StartAsync(TestContext.Current.CancellationToken);
        var a = await RelayDaemon.StartAsync("none", apiKey: AccountKey);
        await using var b = await RelayDaemon.StartAsync("auto", apiKey: AccountKey, environment: new Dictionary<string, string?>
        {
            ["CERVER_GATEWAY_URL"] = a.BaseUrl.ToString(),
            ["CERVER_AGENT_PATH"] = Path.GetDirectoryName(claude),
        });
        AgentDaemon.WriteAnthropicEnv(b.Settings.Paths.RelayDirectory, anthropic);
        var computeId = (await b.App.Services.GetRequiredService<GatewayConnection>().WhenRegisteredAsync(TestContext.Current.CancellationToken)).ComputeId;
        var session = await TranscriptSessionAsync(a);
        var sandbox = (await RelayDaemon.ReadJsonAsync(await b.Client.PostAsync("/api/cerver/provider/sandboxes", RelayDaemon.Json(
            new JsonObject { ["metadata"] = new JsonObject { ["cli_tool"] = "claude", ["cerver_session_id"] = session } }.ToJsonString()), TestContext.Current.CancellationToken), 200))["sandbox_id"]!.GetValue<string>();

        JsonObject turn = null!;
        a = await a.RestartAsync(whileStopped: async () =>
        {
            turn = await RelayDaemon.ReadJsonAsync(await b.Client.PostAsync($"/api/cerver/provider/sandboxes/{sandbox}/run",
                RelayDaemon.Json("""{"code": "[[bash: echo reported]] then say done"}"""), TestContext.Current.CancellationToken), 200);
            Assert.True(b.App.Services.GetRequiredService<SessionReports>().Snapshot.Pending > 0, "the gateway is down: the reports wait on disk");
        });
        await using var gateway = a;
        Assert.True(turn["success"]!.GetValue<bool>(), turn.ToJsonString());

        var detail = await WaitForAsync(gateway, session, d => d["status"]!.GetValue<string>() == "idle"
            && d["transcript"]!.AsArray().Any(e => e!["kind"]!.GetValue<string>() == "session_completed"));

        var kinds = detail["transcript"]!.AsArray().Select(e => e!["kind"]!.GetValue<string>()).ToList();
        Assert.Equal("tool_use", kinds[0]);
        Assert.Equal(["tool_use", "tool_result"], kinds.Take(2));
        Assert.Equal("session_completed", kinds[^1]);
        Assert.Single(kinds, kind => kind == "session_completed");
        Assert.Single(kinds, kind => kind == "tool_result");
        Assert.Contains("reported", detail["transcript"]![1]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        var metadata = detail["metadata"]!.AsObject();
        Assert.Equal(turn["session_id"]!.GetValue<string>(), metadata["cli_session_id"]!.GetValue<string>());
        Assert.Equal(computeId, metadata["compute_id"]!.GetValue<string>());
        Assert.Equal(1, metadata["usage_total"]!["turns"]!.GetValue<int>());
        var reports = b.App.Services.GetRequiredService<SessionReports>().Snapshot;
        Assert.Equal(0, reports.Dropped);
        Assert.NotNull(reports.LastError);
        Assert.False(Directory.EnumerateFiles(SessionReportsServiceCollectionExtensions.DirectoryOf(b.Settings.Paths)).Any(), "everything delivered, no outbox is left");
    }

    [Fact]
    public async Task A_turn_sent_over_the_channel_and_cut_by_a_relay_restart_reports_its_end_once()
    {
        var claude = await PinnedAgentClis.ClaudeAsync(TestContext.Current.CancellationToken);
        await using var anthropic = await AnthropicStandIn.StartAsync(TestContext.Current.CancellationToken);
        await using var a = await RelayDaemon.StartAsync("none", apiKey: AccountKey);
        var b = await RelayDaemon.StartAsync("auto", apiKey: AccountKey, environment: new Dictionary<string, string?>
        {
            ["CERVER_GATEWAY_URL"] = a.BaseUrl.ToString(),
            ["CERVER_AGENT_PATH"] = Path.GetDirectoryName(claude),
        });
        AgentDaemon.WriteAnthropicEnv(b.Settings.Paths.RelayDirectory, anthropic);
        var computeId = (await b.App.Services.GetRequiredService<GatewayConnection>().WhenRegisteredAsync(TestContext.Current.CancellationToken)).ComputeId;
        var session = await TranscriptSessionAsync(a);

        // As the hosted gateway does it: the sandbox and the input go to B as requests on its connect channel.
        var relays = a.App.Services.GetRequiredService<ConnectedRelays>();
        while (relays.Find(computeId) is null)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        var channel = relays.Find(computeId)!;
        var created = await channel.SendRequestAsync("POST", "/api/cerver/provider/sandboxes",
            new JsonObject { ["metadata"] = new JsonObject { ["cli_tool"] = "claude", ["cerver_session_id"] = session } }, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.Equal(200, created.Status);
        var sandbox = created.Body!["sandbox_id"]!.GetValue<string>();
        var input = await channel.SendRequestAsync("POST", $"/api/local-claude/agents/{sandbox}/input",
            new JsonObject { ["input"] = "[[sleep: 60000]] long", ["cerver_session_id"] = session }, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.Equal(("started", sandbox), (input.Body!["action"]!.GetValue<string>(), input.Body["agent_id"]!.GetValue<string>()));
        while (!anthropic.MessageRequests.Any(request => request.LatestUserText() == "[[sleep: 60000]] long"))
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        await using var restarted = await b.RestartAsync();

        var detail = await WaitForAsync(a, session, d => d["status"]!.GetValue<string>() == "idle"
            && d["transcript"]!.AsArray().Any(e => e!["kind"]!.GetValue<string>() == "session_completed"));
        var completions = detail["transcript"]!.AsArray().Where(e => e!["kind"]!.GetValue<string>() == "session_completed").ToList();
        Assert.True(completions.Count == 1, detail.ToJsonString());
        Assert.Equal(computeId, detail["metadata"]!["compute_id"]!.GetValue<string>());
        while (Directory.EnumerateFiles(SessionReportsServiceCollectionExtensions.DirectoryOf(restarted.Settings.Paths)).Any())
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, restarted.App.Services.GetRequiredService<SessionReports>().Snapshot.Dropped);
    }

    [Fact]
    public async Task A_turn_a_relay_died_in_is_closed_on_its_session_at_the_next_start()
    {
        await using var a = await RelayDaemon.StartAsync("none", apiKey: AccountKey);
        var b = await RelayDaemon.StartAsync("none", apiKey: AccountKey, environment: new Dictionary<string, string?> { ["CERVER_GATEWAY_URL"] = a.BaseUrl.ToString() });
        await b.App.Services.GetRequiredService<GatewayConnection>().WhenRegisteredAsync(TestContext.Current.CancellationToken);
        var session = await TranscriptSessionAsync(a);
        var sandbox = (await RelayDaemon.ReadJsonAsync(await b.Client.PostAsync("/api/cerver/provider/sandboxes", RelayDaemon.Json(
            new JsonObject { ["metadata"] = new JsonObject { ["cli_tool"] = "claude", ["cerver_session_id"] = session } }.ToJsonString()), TestContext.Current.CancellationToken), 200))["sandbox_id"]!.GetValue<string>();
        var record = Path.Combine(b.WorkspaceOf(sandbox) + ".agent", "provider.json");

        // What a kill -9 mid-turn leaves behind: the agent's record still marked as in a turn.
        await using var restarted = await b.RestartAsync(whileStopped: async () =>
        {
            var agent = JsonNode.Parse(await File.ReadAllTextAsync(record, TestContext.Current.CancellationToken))!.AsObject();
            Assert.False(agent.ContainsKey("turn_started_at"), "no turn ran yet");
            agent["turn_started_at"] = "2026-12-06T10:00:00+00:00";
            await File.WriteAllTextAsync(record, agent.ToJsonString(), TestContext.Current.CancellationToken);
        });

        var detail = await WaitForAsync(a, session, d => d["status"]!.GetValue<string>() == "idle"
            && d["transcript"]!.AsArray().Any(e => e!["kind"]!.GetValue<string>() == "session_completed"));
        var transcript = detail["transcript"]!.AsArray();
        Assert.Contains(transcript, e => e!["content"]!.GetValue<string>().Contains("The relay stopped while this turn was running", StringComparison.Ordinal));
        Assert.Single(transcript, e => e!["kind"]!.GetValue<string>() == "session_completed");
        Assert.False(JsonNode.Parse(await File.ReadAllTextAsync(record, TestContext.Current.CancellationToken))!.AsObject().ContainsKey("turn_started_at"), "the turn is over");
    }

    private static async Task<string> TranscriptSessionAsync(RelayDaemon gateway)
    {
        using var created = await gateway.Client.PostAsJsonAsync("/v2/sessions", new JsonObject
        {
            ["session_type"] = "transcript",
            ["compute"] = null,
            ["metadata"] = new JsonObject { ["cli_tool"] = "claude" },
        }, TestContext.Current.CancellationToken);
        return (await RelayDaemon.ReadJsonAsync(created, 200))["session_id"]!.GetValue<string>();
    }

    /// <summary>Reads the session on the gateway until the relay's reports have made it so (the relay retries on its own backoff).</summary>
    private static async Task<JsonObject> WaitForAsync(RelayDaemon gateway, string session, Func<JsonObject, bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        // Only a guard against a test that would otherwise hang: no result depends on it.
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        while (true)
        {
            var detail = await RelayDaemon.ReadJsonAsync(await gateway.Client.GetAsync($"/v2/sessions/{session}?full=1", timeout.Token), 200);
            if (condition(detail))
            {
                return detail;
            }

            await Task.Delay(100, timeout.Token);
        }
    }
}
