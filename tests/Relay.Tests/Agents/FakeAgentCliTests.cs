using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Agents;

/// <summary>
/// Failures the real CLIs cannot be made to have on demand, from a stand-in <c>claude</c> script:
/// garbage output, invalid UTF-8, a cut line, a process that never exits, a crash by signal.
/// </summary>
public sealed class FakeAgentCliTests
{
    [Fact]
    public async Task A_cli_that_prints_garbage_and_never_exits_keeps_what_it_said_and_is_stopped()
    {
        var (entries, status) = await RunAsync(
            "printf 'not json at all\\n\\377\\376 invalid utf-8\\n{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"partial answer\"}]}}\\n{\"type\":\\n'\n"
            + "exec sleep 600\n");

        var texts = Texts(entries);
        Assert.Equal("partial answer", texts[0]);
        Assert.Contains("printed nothing for 3 seconds", texts[1], StringComparison.Ordinal);
        Assert.Equal("idle", status);
    }

    [Fact]
    public async Task A_cli_that_crashes_mid_turn_keeps_what_it_said_and_says_how_it_ended()
    {
        var (entries, status) = await RunAsync(
            "printf '{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"working on it\"}]}}\\n'\n"
            + "echo 'fatal: segmentation fault in the agent' >&2\n"
            + "kill -SEGV $$\n");

        var texts = Texts(entries);
        Assert.Equal("working on it", texts[0]);
        Assert.Contains("claude ended with exit code 139", texts[1], StringComparison.Ordinal);
        Assert.Contains("fatal: segmentation fault in the agent", texts[1], StringComparison.Ordinal);
        Assert.Equal(139, JsonNode.Parse(entries[^1]["content"]!.GetValue<string>())!["exit_code"]!.GetValue<int>());
        Assert.Equal("idle", status);
    }

    private static List<string> Texts(List<JsonObject> entries) =>
        [.. entries.Where(entry => entry["kind"]!.GetValue<string>() == "text").Select(entry => entry["content"]!.GetValue<string>())];

    private static async Task<(List<JsonObject> Entries, string Status)> RunAsync(string body)
    {
        using var fake = new TempDirectory("fake-claude");
        var script = Path.Combine(fake.Path, "claude");
        File.WriteAllText(script, "#!/bin/sh\n" + body);
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(fake.Path, (UnixFileMode)0b111_101_101);
        await using var daemon = await RelayDaemon.StartAsync("auto", environment: new Dictionary<string, string?>
        {
            ["CERVER_AGENT_PATH"] = fake.Path,
            ["CERVER_AGENT_STALL_TIMEOUT"] = "3",
        });
        var cli = new CerverCliClient(daemon.Client);
        var session = await cli.CreateSessionAsync("claude", await cli.ReadyComputeAsync(), "fake");

        await cli.SendAsync(session, "anything");
        var (entries, _) = await cli.WaitForCompletionAsync(session);
        return (entries, (await cli.GetJsonAsync($"/v2/sessions/{session}"))["status"]!.GetValue<string>());
    }
}
