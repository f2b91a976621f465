using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Agents;

/// <summary>A session moves from relay A to relay B linked to it, workspace and conversation with it.</summary>
public sealed class ChangeComputeTests
{
    private const string AccountKey = "ck_change_compute_key_0123456789abcdef";

    [Fact]
    public async Task A_session_moves_to_a_linked_relay_with_its_workspace_and_its_conversation()
    {
        await using var relays = await LinkedAgentRelays.StartAsync(AccountKey, agentsOnA: true);
        var (a, cli, linkedId) = (relays.A, relays.Cli, relays.LinkedId);
        var session = await cli.CreateSessionAsync("claude", await cli.ReadyComputeAsync(), "move me");
        await cli.SendAsync(session, "[[bash: mkdir -p src && echo carried > src/notes.txt]]");
        var (_, total) = await cli.WaitForCompletionAsync(session);
        var oldSandbox = await relays.SandboxOfAsync(session);

        using var refused = await a.Client.PostAsJsonAsync($"/v2/sessions/{session}/change-compute", new { compute_priority = new[] { "cmp_nowhere" } });
        var error = await RelayDaemon.ReadJsonAsync(refused, 503);
        Assert.Contains("stays on", error["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(oldSandbox, await relays.SandboxOfAsync(session));

        using var moved = await a.Client.PostAsJsonAsync($"/v2/sessions/{session}/change-compute", new { compute_priority = new[] { "cmp_nowhere", linkedId } });
        Assert.Equal(linkedId, (await RelayDaemon.ReadJsonAsync(moved, 200))["compute_id"]!.GetValue<string>());

        var newSandbox = await relays.SandboxOfAsync(session);
        Assert.Equal("carried\n", File.ReadAllText(Path.Combine(relays.B.WorkspaceOf(newSandbox), "src", "notes.txt")));
        Assert.False(Directory.Exists(a.WorkspaceOf(oldSandbox)));
        await cli.SendAsync(session, "what did you write?");
        var (after, _) = await cli.WaitForCompletionAsync(session, since: total);

        Assert.Equal("compute_change", after[0]["kind"]!.GetValue<string>());
        Assert.Equal(0, JsonNode.Parse(after[^1]["content"]!.GetValue<string>())!["exit_code"]!.GetValue<int>());
        var onB = relays.Anthropic.MessageRequests.Last(request => request.Body.Contains("what did you write?", StringComparison.Ordinal));
        Assert.Contains("[[bash: mkdir -p src", onB.Body, StringComparison.Ordinal);
        Assert.Equal(linkedId, (await cli.GetJsonAsync($"/v2/sessions/{session}"))["computeId"]!.GetValue<string>());
    }
}
