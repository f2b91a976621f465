using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Tests.Agents;

/// <summary>
/// Every way a turn can end badly still ends it: an entry that says what happened and what to
/// do, then <c>session_completed</c> — never a session stuck in <c>running</c>.
/// </summary>
public sealed class AgentTurnFailureTests
{
    [Fact]
    public async Task A_cli_that_is_not_installed_ends_the_turn_with_how_to_fix_it()
    {
        using var empty = new TempDirectory("no-home");
        await using var daemon = await RelayDaemon.StartAsync("auto", services: services =>
            services.AddSingleton(provider => new AgentServices(
                provider.GetRequiredService<AgentHarnesses>(), new AgentCliLocator(null, empty.Path, "/usr/bin:/bin"),
                new AgentCredentials(Path.Combine(empty.Path, "agents.env"), empty.Path), provider.GetRequiredService<Cerver.Relay.Compute.Agents.Turns.AgentTurnSlots>())));
        var cli = new CerverCliClient(daemon.Client);
        var session = await cli.CreateSessionAsync("claude", await cli.ReadyComputeAsync(), "hello");

        await cli.SendAsync(session, "hello");
        var (entries, _) = await cli.WaitForCompletionAsync(session);

        var text = entries.Single(entry => entry["kind"]!.GetValue<string>() == "text")["content"]!.GetValue<string>();
        Assert.Contains("claude is not installed", text, StringComparison.Ordinal);
        Assert.Contains("CERVER_AGENT_PATH", text, StringComparison.Ordinal);
        Assert.Equal(127, Completion(entries)["exit_code"]!.GetValue<int>());
        Assert.Equal("idle", (await cli.GetJsonAsync($"/v2/sessions/{session}"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_model_api_that_refuses_ends_the_turn_with_the_reason()
    {
        await using var agents = await AgentDaemon.StartAsync();
        var cli = agents.Cli;
        var session = await cli.CreateSessionAsync("claude", await cli.ReadyComputeAsync(), "refused");

        await cli.SendAsync(session, "[[error: 400]] refused");
        var (entries, _) = await cli.WaitForCompletionAsync(session);

        Assert.NotEqual(0, Completion(entries)["exit_code"]!.GetValue<int>());
        var said = string.Join("\n", entries.Where(entry => entry["kind"]!.GetValue<string>() == "text").Select(entry => entry["content"]!.GetValue<string>()));
        Assert.Contains("claude ended with exit code", said, StringComparison.Ordinal);
        Assert.Equal("idle", (await cli.GetJsonAsync($"/v2/sessions/{session}"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_prompt_of_several_megabytes_is_kept_and_the_cli_says_why_it_refuses_it()
    {
        await using var agents = await AgentDaemon.StartAsync();
        var cli = agents.Cli;
        var session = await cli.CreateSessionAsync("claude", await cli.ReadyComputeAsync(), "huge");
        var prompt = string.Concat(Enumerable.Repeat("lorem ipsum dolor sit amet ", 150_000));

        await cli.SendAsync(session, prompt);
        var (entries, _) = await cli.WaitForCompletionAsync(session);

        Assert.Equal(prompt, entries[0]["content"]!.GetValue<string>());
        Assert.NotEqual(0, Completion(entries)["exit_code"]!.GetValue<int>());
        var said = entries.Single(entry => entry["kind"]!.GetValue<string>() == "text")["content"]!.GetValue<string>();
        Assert.Contains("Prompt is too long", said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stalled_turn_is_stopped_by_the_watchdog_and_the_next_input_still_runs()
    {
        await using var agents = await AgentDaemon.StartAsync(new Dictionary<string, string?> { ["CERVER_AGENT_STALL_TIMEOUT"] = "3" });
        var cli = agents.Cli;
        var session = await cli.CreateSessionAsync("claude", await cli.ReadyComputeAsync(), "hang");

        await cli.SendAsync(session, "[[hang]]");
        await cli.SendAsync(session, "after the hang");
        var (entries, _) = await cli.WaitForCompletionAsync(session, completions: 2);

        var stalled = entries.First(entry => entry["kind"]!.GetValue<string>() == "text")["content"]!.GetValue<string>();
        Assert.Contains("printed nothing for 3 seconds", stalled, StringComparison.Ordinal);
        var completions = entries.Where(entry => entry["kind"]!.GetValue<string>() == "session_completed").ToList();
        Assert.Equal(137, JsonNode.Parse(completions[0]["content"]!.GetValue<string>())!["exit_code"]!.GetValue<int>());
        Assert.Equal(0, JsonNode.Parse(completions[1]["content"]!.GetValue<string>())!["exit_code"]!.GetValue<int>());
        Assert.Contains(entries, entry => entry["content"]!.GetValue<string>() == "echo: after the hang");
    }

    [Fact]
    public async Task Deleting_a_session_mid_turn_ends_the_turn_and_leaves_no_process()
    {
        await using var agents = await AgentDaemon.StartAsync();
        var cli = agents.Cli;
        var session = await cli.CreateSessionAsync("claude", await cli.ReadyComputeAsync(), "slow");
        using var detailResponse = await agents.Daemon.Client.GetAsync($"/gateway/sessions/{session}");
        var sandbox = (await RelayDaemon.ReadJsonAsync(detailResponse, 200))["sandbox_id"]!.GetValue<string>();

        await cli.SendAsync(session, "[[sleep: 60000]] slow");
        await WaitUntilAsync(() => ProcessTable.CountWithArgument(sandbox) > 0);
        using var deleted = await agents.Daemon.Client.DeleteAsync($"/v2/sessions/{session}");
        await RelayDaemon.ReadJsonAsync(deleted, 200);

        var (entries, _) = await cli.WaitForCompletionAsync(session);
        Assert.Equal(137, Completion(entries)["exit_code"]!.GetValue<int>());
        Assert.Contains("stopped before it finished", entries.Single(entry => entry["kind"]!.GetValue<string>() == "text")["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("terminated", (await cli.GetJsonAsync($"/v2/sessions/{session}"))["status"]!.GetValue<string>());
        Assert.Equal(0, await ProcessTable.WaitUntilGoneAsync(sandbox, TimeSpan.FromSeconds(10)));
    }

    private static JsonObject Completion(List<JsonObject> entries) =>
        JsonNode.Parse(entries.Last(entry => entry["kind"]!.GetValue<string>() == "session_completed")["content"]!.GetValue<string>())!.AsObject();

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 60 s");
            await Task.Delay(100);
        }
    }
}
