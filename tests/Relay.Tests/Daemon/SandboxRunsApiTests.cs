using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Daemon;

/// <summary><c>GET /sandbox/{id}/runs</c>: a live sandbox's latest runs, as the dashboard shows them.</summary>
public sealed class SandboxRunsApiTests(SharedDaemon shared) : IClassFixture<SharedDaemon>
{
    private readonly RelayDaemon _daemon = shared.Daemon;

    [Fact]
    public async Task Runs_and_streams_are_listed_newest_first_with_the_first_line_of_their_code()
    {
        var id = await _daemon.CreateSandboxAsync();
        await _daemon.RunAsync(id, new { code = "echo one" });
        await _daemon.RunAsync(id, new { code = "exit 3\necho second-line-never-shown" });
        using (var stream = await _daemon.Client.PostAsJsonAsync($"/sandbox/{id}/run/stream", new { code = "echo streamed" }, TestContext.Current.CancellationToken))
        {
            Assert.Contains("event: exit", await stream.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        await _daemon.RunAsync(id, new { code = new string('x', 300) });

        var runs = await RunsAsync(id);

        Assert.Equal(["run", "stream", "run", "run"], runs.Select(run => run["kind"]!.GetValue<string>()));
        Assert.Equal(new string('x', 120) + "…", runs[0]["summary"]!.GetValue<string>());
        Assert.Equal(["echo streamed", "exit 3", "echo one"], runs.Skip(1).Select(run => run["summary"]!.GetValue<string>()));
        Assert.Equal([127, 0, 3, 0], runs.Select(run => run["exit_code"]!.GetValue<int>()));
        Assert.All(runs, run => Assert.Equal("exited", run["status"]!.GetValue<string>()));
        Assert.All(runs, run => Assert.False(run["timed_out"]!.GetValue<bool>()));
        Assert.DoesNotContain("second-line-never-shown", string.Concat(runs.Select(run => run.ToJsonString())), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_in_progress_is_running_and_a_deleted_sandbox_has_no_runs()
    {
        var id = await _daemon.CreateSandboxAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/sandbox/{id}/run/stream") { Content = JsonContent.Create(new { code = "echo started; sleep 300" }) };
        using var stream = await _daemon.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line && line != "data: started")
        {
        }

        var running = Assert.Single(await RunsAsync(id));
        Assert.Equal("running", running["status"]!.GetValue<string>());
        Assert.Null(running["exit_code"]);

        await RelayDaemon.ReadJsonAsync(await _daemon.Client.DeleteAsync($"/sandbox/{id}", TestContext.Current.CancellationToken), 200);

        Assert.Equal("sandbox_not_found", await RelayDaemon.ReadErrorAsync(await _daemon.Client.GetAsync($"/sandbox/{id}/runs", TestContext.Current.CancellationToken), 404));
        Assert.Equal("sandbox_not_found", await RelayDaemon.ReadErrorAsync(await _daemon.Client.GetAsync("/sandbox/sbx_unknown/runs", TestContext.Current.CancellationToken), 404));
    }

    private async Task<IReadOnlyList<JsonNode>> RunsAsync(string id)
    {
        var list = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/sandbox/{id}/runs", TestContext.Current.CancellationToken), 200);
        Assert.Equal(id, list["sandbox_id"]!.GetValue<string>());
        return [.. list["runs"]!.AsArray().Select(run => run!)];
    }
}
