using System.Net.Http.Headers;
using System.Net.Http.Json;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Limits;

/// <summary>The real executable killed with SIGKILL in the middle of a run: bubblewrap takes the sandbox with it.</summary>
public sealed class DaemonCrashTests
{
    [Fact]
    public async Task Kill_9_of_the_daemon_leaves_no_sandbox_process()
    {
        using var home = new TempDirectory("cerver-home");
        const string marker = "6287.25";
        using var relay = await RelayProcess.StartAsync(home.Path, environment: new Dictionary<string, string> { ["CERVER_ISOLATION"] = "bubblewrap" });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{relay.Port}"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(home.Path, "relay", "local.token")).Trim());
        var id = (await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync("/sandbox", new { }), 201))["sandbox_id"]!.GetValue<string>();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/sandbox/{id}/run/stream")
        {
            Content = JsonContent.Create(new { code = $"for i in 1 2 3 4 5 6 7 8 9 10; do sleep {marker} & done; (setsid sleep {marker} &); echo ready; wait", timeout = 300 }),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line && !line.Contains("ready", StringComparison.Ordinal))
        {
        }

        Assert.True(ProcessTable.CountWithArgument(marker) >= 11);
        relay.Kill();
        await relay.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, await ProcessTable.WaitUntilGoneAsync(marker, TimeSpan.FromSeconds(10)));
    }
}
