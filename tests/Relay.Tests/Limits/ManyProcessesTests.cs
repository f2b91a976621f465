using System.Net.Http.Json;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Limits;

/// <summary>
/// Stopping a sandbox that holds thousands of processes: the timeout answers and delete
/// returns with none of them left (the timings are in bench/, part <c>limits</c>).
/// </summary>
public sealed class ManyProcessesTests : IAsyncLifetime
{
    private const int Count = 2000;
    private RelayDaemon _daemon = null!;

    public async ValueTask InitializeAsync() => _daemon = await RelayDaemon.StartAsync("auto", environment: new Dictionary<string, string?>
    {
        ["CERVER_SANDBOX_PROCESSES"] = "8000",
    });

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();

    [Fact]
    public async Task A_timeout_with_thousands_of_sleeping_processes_answers_and_none_survive()
    {
        var id = await _daemon.CreateSandboxAsync();
        const string marker = "7013.5";
        var result = await _daemon.RunAsync(id, new { code = Spawn(marker) + "echo ready; wait", timeout = 30 });

        Assert.True(result["timed_out"]!.GetValue<bool>(), result.ToJsonString());
        Assert.Equal(137, result["exit_code"]!.GetValue<int>());
        Assert.Equal("ready\n", result["stdout"]!.GetValue<string>());
        Assert.Equal(0, await ProcessTable.WaitUntilGoneAsync(marker, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Delete_of_a_sandbox_with_thousands_of_processes_leaves_none()
    {
        var id = await _daemon.CreateSandboxAsync();
        const string marker = "7013.75";
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/sandbox/{id}/run/stream")
        {
            Content = JsonContent.Create(new { code = Spawn(marker) + "echo ready; wait", timeout = 300 }),
        };
        using var response = await _daemon.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var seen = new System.Text.StringBuilder();
        var ready = false;
        while (!ready && await reader.ReadLineAsync() is { } line)
        {
            seen.AppendLine(line);
            ready = line.Contains("data: ready", StringComparison.Ordinal);
        }

        // The stream's own words say why when the spawning did not get through (a refused fork, an error event).
        Assert.True(ready, $"the run ended before it printed ready:\n{seen}");
        var running = ProcessTable.CountWithArgument(marker);
        Assert.True(running >= Count, $"{running} of {Count} processes running after ready:\n{seen}");
        using var deleted = await _daemon.Client.DeleteAsync($"/sandbox/{id}");

        await RelayDaemon.ReadJsonAsync(deleted, 200);
        Assert.Equal(0, await ProcessTable.WaitUntilGoneAsync(marker, TimeSpan.FromSeconds(10)));
        Assert.False(Directory.Exists(_daemon.WorkspaceOf(id)));
    }

    private static string Spawn(string marker) => $"i=0; while [ $i -lt {Count} ]; do sleep {marker} & i=$((i+1)); done; ";
}
