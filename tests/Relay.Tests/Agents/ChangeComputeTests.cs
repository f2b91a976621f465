using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Fleet;
using Cerver.Relay.Link;
using Cerver.Relay.Tests.Infrastructure;
using Cerver.Relay.Tests.Link;
using Cerver.Relay.TestKit.AgentClis;
using Cerver.Relay.TestKit.ModelStandIns;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Tests.Agents;

/// <summary>A session moves from relay A to relay B linked to it, workspace and conversation with it.</summary>
public sealed class ChangeComputeTests
{
    private const string AccountKey = "ck_change_compute_key_0123456789abcdef";

    [Fact]
    public async Task A_session_moves_to_a_linked_relay_with_its_workspace_and_its_conversation()
    {
        var claude = await PinnedAgentClis.ClaudeAsync();
        await using var anthropic = await AnthropicStandIn.StartAsync();
        var agentEnv = $"ANTHROPIC_BASE_URL={anthropic.BaseUrl}\nANTHROPIC_API_KEY={AgentDaemon.AnthropicKey}\n";
        var agentPath = new Dictionary<string, string?> { ["CERVER_AGENT_PATH"] = Path.GetDirectoryName(claude) };
        await using var a = await RelayDaemon.StartAsync("auto", apiKey: AccountKey, environment: agentPath);
        File.WriteAllText(Path.Combine(a.Settings.Paths.RelayDirectory, "agents.env"), agentEnv);
        var linkedId = await LinkFixtures.RegisterAsync(a, "change-compute-b");
        await using var b = await RelayDaemon.StartAsync("auto", environment: agentPath,
            services: services => services.AddSingleton<ILinkTargetSource>(new FixedLinkTarget(new LinkTarget(a.BaseUrl, AccountKey, linkedId,
                new JsonObject { ["runtimes"] = new JsonObject { ["shell"] = "sh" }, ["isolation"] = "bubblewrap" }))));
        File.WriteAllText(Path.Combine(b.Settings.Paths.RelayDirectory, "agents.env"), agentEnv);
        await WaitUntilLinkedAsync(a, linkedId);
        var cli = new CerverCliClient(a.Client);
        var session = await cli.CreateSessionAsync("claude", await cli.ReadyComputeAsync(), "move me");
        await cli.SendAsync(session, "[[bash: mkdir -p src && echo carried > src/notes.txt]]");
        var (_, total) = await cli.WaitForCompletionAsync(session);
        var oldSandbox = await SandboxOfAsync(a, session);

        using var refused = await a.Client.PostAsJsonAsync($"/v2/sessions/{session}/change-compute", new { compute_priority = new[] { "cmp_nowhere" } });
        var error = await RelayDaemon.ReadJsonAsync(refused, 503);
        Assert.Contains("stays on", error["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(oldSandbox, await SandboxOfAsync(a, session));

        using var moved = await a.Client.PostAsJsonAsync($"/v2/sessions/{session}/change-compute", new { compute_priority = new[] { "cmp_nowhere", linkedId } });
        Assert.Equal(linkedId, (await RelayDaemon.ReadJsonAsync(moved, 200))["compute_id"]!.GetValue<string>());

        var newSandbox = await SandboxOfAsync(a, session);
        Assert.Equal("carried\n", File.ReadAllText(Path.Combine(b.WorkspaceOf(newSandbox), "src", "notes.txt")));
        Assert.False(Directory.Exists(a.WorkspaceOf(oldSandbox)));
        await cli.SendAsync(session, "what did you write?");
        var (after, _) = await cli.WaitForCompletionAsync(session, since: total);

        Assert.Equal("compute_change", after[0]["kind"]!.GetValue<string>());
        Assert.Equal(0, JsonNode.Parse(after[^1]["content"]!.GetValue<string>())!["exit_code"]!.GetValue<int>());
        var onB = anthropic.MessageRequests.Last(request => request.Body.Contains("what did you write?", StringComparison.Ordinal));
        Assert.Contains("[[bash: mkdir -p src", onB.Body, StringComparison.Ordinal);
        Assert.Equal(linkedId, (await cli.GetJsonAsync($"/v2/sessions/{session}"))["computeId"]!.GetValue<string>());
    }

    private static async Task<string> SandboxOfAsync(RelayDaemon gateway, string session)
    {
        using var response = await gateway.Client.GetAsync($"/gateway/sessions/{session}");
        return (await RelayDaemon.ReadJsonAsync(response, 200))["sandbox_id"]!.GetValue<string>();
    }

    private static async Task WaitUntilLinkedAsync(RelayDaemon gateway, string computeId)
    {
        var registry = gateway.App.Services.GetRequiredService<ComputeRegistry>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (registry.Find(computeId) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the relay did not link");
            await Task.Delay(50);
        }
    }
}
