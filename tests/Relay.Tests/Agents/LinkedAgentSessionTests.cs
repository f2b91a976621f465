using System.Text.Json.Nodes;

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
        await using var relays = await LinkedAgentRelays.StartAsync(AccountKey, agentsOnA: false);
        var cli = relays.Cli;
        var session = await cli.CreateSessionAsync("claude", relays.LinkedId, "remote");
        await cli.SendAsync(session, "[[bash: echo on-b > b.txt]]");
        var (entries, _) = await cli.WaitForCompletionAsync(session);

        Assert.Equal(0, JsonNode.Parse(entries[^1]["content"]!.GetValue<string>())!["exit_code"]!.GetValue<int>());
        Assert.Contains(entries, entry => entry["kind"]!.GetValue<string>() == "tool_use" && entry["tool_name"]!.GetValue<string>() == "Bash");
        var detail = await cli.GetJsonAsync($"/v2/sessions/{session}");
        Assert.Equal(relays.LinkedId, detail["computeId"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(detail["metadata"]!["cli_session_id"]?.GetValue<string>()));
        var sandbox = await relays.SandboxOfAsync(session);
        Assert.Equal("on-b\n", File.ReadAllText(Path.Combine(relays.B.WorkspaceOf(sandbox), "b.txt")));
        Assert.False(Directory.Exists(relays.A.WorkspaceOf(sandbox)));
    }
}
