using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Agents;

/// <summary>
/// Speaks to the relay exactly as the <c>cerver</c> CLI's <c>run</c> does (observed): pick the
/// first <c>cerver_local_provider</c> compute whose status is <c>ready</c>, create a coding session
/// pinned to it with <c>metadata.cli_tool</c>, send the prompt with <c>/input</c>, and poll
/// <c>?since=N</c> until a <c>session_completed</c> entry lands.
/// </summary>
public sealed class CerverCliClient(HttpClient client)
{
    public async Task<string> ReadyComputeAsync()
    {
        var computes = await GetJsonAsync("/v2/computes");
        var ready = computes["computes"]!.AsArray().Select(node => node!.AsObject())
            .FirstOrDefault(compute => compute["provider"]?.GetValue<string>() == "cerver_local_provider" && compute["status"]?.GetValue<string>() == "ready");
        Assert.True(ready is not null, $"no ready cerver_local_provider compute in {computes.ToJsonString()}");
        return ready!["compute_id"]!.GetValue<string>();
    }

    public async Task<string> CreateSessionAsync(string cliTool, string computeId, string task, JsonObject? metadata = null)
    {
        metadata ??= [];
        metadata["cli_tool"] = cliTool;
        metadata["source"] = "cerver-cli";
        using var response = await client.PostAsJsonAsync("/v2/sessions", new JsonObject
        {
            ["session_type"] = "coding",
            ["compute"] = new JsonObject { ["compute_id"] = computeId },
            ["task"] = task,
            ["workload"] = "coding",
            ["session_name"] = "cli " + cliTool,
            ["metadata"] = metadata,
        });
        var created = await RelayDaemon.ReadJsonAsync(response, 200);
        return created["session_id"]!.GetValue<string>();
    }

    public async Task SendAsync(string sessionId, string prompt)
    {
        using var response = await client.PostAsJsonAsync($"/v2/sessions/{sessionId}/input", new { content = prompt, role = "user" });
        await RelayDaemon.ReadJsonAsync(response, 200);
    }

    /// <summary>Polls from entry <paramref name="since"/> until <paramref name="completions"/> more <c>session_completed</c> entries have landed.</summary>
    public async Task<(List<JsonObject> Entries, int Total)> WaitForCompletionAsync(string sessionId, int since = 0, int completions = 1, TimeSpan? limit = null)
    {
        var entries = new List<JsonObject>();
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromMinutes(3));
        var total = since;
        while (DateTime.UtcNow < deadline)
        {
            var page = await GetJsonAsync($"/v2/sessions/{sessionId}?since={total}");
            entries.AddRange(page["transcript"]!.AsArray().Select(node => node!.AsObject()));
            total = page["transcriptTotal"]!.GetValue<int>();
            if (entries.Count(entry => entry["kind"]?.GetValue<string>() == "session_completed") >= completions)
            {
                return (entries, total);
            }

            await Task.Delay(200);
        }

        Assert.Fail($"no session_completed within the limit; entries so far: {new JsonArray([.. entries.Select(e => e.DeepClone())]).ToJsonString()}");
        return default;
    }

    public async Task<JsonObject> GetJsonAsync(string path)
    {
        using var response = await client.GetAsync(path);
        return await RelayDaemon.ReadJsonAsync(response, 200);
    }
}
