using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Fleet;
using Cerver.Relay.Link;
using Cerver.Relay.Tests.Infrastructure;
using Cerver.Relay.Tests.Link;
using Cerver.Relay.TestKit.AgentClis;
using Cerver.Relay.TestKit.ModelStandIns;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Tests.Agents;

/// <summary>
/// A session on relay A whose agent runs on relay B, linked to A: the real Claude Code in B's
/// sandbox, its entries arriving in A's transcript as B's CLI prints them.
/// </summary>
public sealed class LinkedAgentSessionTests
{
    private const string AccountKey = "ck_agent_link_test_key_0123456789abcdef";

    [Fact]
    public async Task A_session_pinned_to_a_linked_relay_runs_its_agent_there()
    {
        var claude = await PinnedAgentClis.ClaudeAsync();
        await using var anthropic = await AnthropicStandIn.StartAsync();
        await using var a = await RelayDaemon.StartAsync("auto", apiKey: AccountKey);
        var linkedId = await LinkFixtures.RegisterAsync(a, "agent-link-b");
        await using var b = await RelayDaemon.StartAsync("auto", environment: new Dictionary<string, string?> { ["CERVER_AGENT_PATH"] = Path.GetDirectoryName(claude) },
            services: services => services.AddSingleton<ILinkTargetSource>(new FixedLinkTarget(new LinkTarget(a.BaseUrl, AccountKey, linkedId,
                new JsonObject { ["runtimes"] = new JsonObject { ["shell"] = "sh" }, ["isolation"] = "bubblewrap" }))));
        File.WriteAllText(Path.Combine(b.Settings.Paths.RelayDirectory, "agents.env"),
            $"ANTHROPIC_BASE_URL={anthropic.BaseUrl}\nANTHROPIC_API_KEY={AgentDaemon.AnthropicKey}\n");
        var registry = a.App.Services.GetRequiredService<ComputeRegistry>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (registry.Find(linkedId) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "B did not link to A");
            await Task.Delay(50);
        }

        var cli = new CerverCliClient(a.Client);
        var session = await cli.CreateSessionAsync("claude", linkedId, "remote");
        await cli.SendAsync(session, "[[bash: echo on-b > b.txt]]");
        var (entries, _) = await cli.WaitForCompletionAsync(session);

        Assert.Equal(0, JsonNode.Parse(entries[^1]["content"]!.GetValue<string>())!["exit_code"]!.GetValue<int>());
        Assert.Contains(entries, entry => entry["kind"]!.GetValue<string>() == "tool_use" && entry["tool_name"]!.GetValue<string>() == "Bash");
        var detail = await cli.GetJsonAsync($"/v2/sessions/{session}");
        Assert.Equal(linkedId, detail["computeId"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(detail["metadata"]!["cli_session_id"]?.GetValue<string>()));
        using var gatewayView = await a.Client.GetAsync($"/gateway/sessions/{session}");
        var sandbox = (await RelayDaemon.ReadJsonAsync(gatewayView, 200))["sandbox_id"]!.GetValue<string>();
        Assert.Equal("on-b\n", File.ReadAllText(Path.Combine(b.WorkspaceOf(sandbox), "b.txt")));
        Assert.False(Directory.Exists(a.WorkspaceOf(sandbox)));
    }
}
