using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Gateway;

/// <summary>
/// <c>POST /gateway/stress-tests</c> over real HTTP: the seed's examples answer in the seed's
/// shape, this machine is measured live in real sandboxes, and bad requests name their field.
/// </summary>
public sealed class StressTestApiTests(SharedDaemon shared) : IClassFixture<SharedDaemon>
{
    private readonly RelayDaemon _daemon = shared.Daemon;

    [Fact]
    public async Task The_seeds_request_answers_in_the_seeds_shape_simulated_for_modeled_providers()
    {
        var request = JsonShape.Contract("gateway-stress-test.request.json");
        var result = await PostAsync(request.ToJsonString(), 200);

        JsonShape.AssertMatches(JsonShape.Contract("gateway-stress-test.response.json"), result);
        Assert.Equal(12, result["sampleSize"]!.GetValue<int>());
        var providers = result["providers"]!.AsArray();
        Assert.Equal(["cloudflare", "e2b", "vercel"], providers.Select(p => p!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(providers, p =>
        {
            Assert.True(p!["simulated"]!.GetValue<bool>());
            Assert.Equal(12, p["samples"]!.GetValue<int>());
            Assert.True(p["p95_ms"]!.GetValue<double>() >= p["median_ms"]!.GetValue<double>());
        });
        var winner = result["winner"]!.GetValue<string>();
        Assert.Contains(winner, providers.Select(p => p!["name"]!.GetValue<string>()));
        Assert.StartsWith($"Route preview runs to {winner} first", result["report"]!["next_policy"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_seeds_preview_request_is_accepted()
    {
        var result = await PostAsync(JsonShape.Contract("gateway-stress-test-preview.request.json").ToJsonString(), 200);

        Assert.Equal("preview_launch", result["kind"]!.GetValue<string>());
        Assert.Equal("Compare preview launch backends", result["task"]!.GetValue<string>());
        Assert.Equal(5, result["sampleSize"]!.GetValue<int>());
    }

    [Fact]
    public async Task This_machine_is_measured_live_beside_a_simulated_provider_and_leaves_no_sandbox()
    {
        var result = await PostAsync("""{"kind": "cold_start", "workload": "coding", "providers": ["local", "e2b"], "sample_size": 3}""", 200);

        var local = Entry(result, "local");
        Assert.False(local["simulated"]!.GetValue<bool>());
        Assert.Equal(0, local["failures"]!.GetValue<int>());
        Assert.Equal(3, local["samples_ms"]!.AsArray().Count);
        Assert.True(local["median_ms"]!.GetValue<double>() > 0);
        Assert.StartsWith("cmp_", local["compute_id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(Entry(result, "e2b")["simulated"]!.GetValue<bool>());
        Assert.Empty(await StressSandboxesAsync());
    }

    [Fact]
    public async Task Stream_response_measures_first_byte_and_throughput_live()
    {
        var local = Entry(await PostAsync("""{"kind": "stream_response", "providers": ["cerver_local"], "sample_size": 2}""", 200), "local");

        Assert.Equal(0, local["failures"]!.GetValue<int>());
        Assert.True(local["throughput_mb_s"]!.GetValue<double>() > 0);
        Assert.True(local["stream_total_ms"]!.GetValue<double>() >= local["median_ms"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("""{"kind": "warm_start", "providers": ["local"]}""", "kind")]
    [InlineData("""{"providers": ["local"]}""", "kind")]
    [InlineData("""{"kind": "cold_start", "sample_size": 0}""", "sample_size")]
    [InlineData("""{"kind": "cold_start", "sample_size": 100000}""", "sample_size")]
    [InlineData("""{"kind": "cold_start", "providers": ["aws_lambda"]}""", "providers")]
    [InlineData("""{"kind": "cold_start", "workload": "mining"}""", "workload")]
    [InlineData("""{"kind": "cold_start", "policy": {"mode": "fastest_ever"}}""", "policy.mode")]
    [InlineData("""{"kind": "cold_start", "requirements": {"timeout_minutes": -5}}""", "requirements.timeout_minutes")]
    [InlineData("""{"kind": "cold_start", "sample_size": "twelve"}""", "sample_size")]
    [InlineData("""{"kind": "cold_start", """, "body")]
    public async Task Bad_requests_are_400_and_name_the_field(string body, string field)
    {
        var error = await PostAsync(body, 400);

        Assert.Contains(field, error["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_test_while_one_runs_is_429_and_an_abandoned_test_cleans_up()
    {
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var first = _daemon.Client.PostAsync("/gateway/stress-tests",
            RelayDaemon.Json("""{"kind": "long_session", "providers": ["local"], "sample_size": 50}"""), abandon.Token);
        while ((await StressSandboxesAsync()).Count == 0)
        {
            Assert.False(first.IsCompleted, "the long session ended before it was seen running");
            await Task.Yield();
        }

        var second = await PostAsync("""{"kind": "cold_start", "providers": ["local"], "sample_size": 1}""", 429);
        Assert.Equal("stress_test_running", second["error"]!["code"]!.GetValue<string>());

        await abandon.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        while ((await StressSandboxesAsync()).Count > 0)
        {
            await Task.Yield();
        }

        // The abandoned test lets go of the gateway right after its last sandbox is deleted.
        HttpResponseMessage next;
        while ((next = await _daemon.Client.PostAsync("/gateway/stress-tests", RelayDaemon.Json("""{"kind": "cold_start", "providers": ["local"], "sample_size": 1}"""), TestContext.Current.CancellationToken)).StatusCode == System.Net.HttpStatusCode.TooManyRequests)
        {
            next.Dispose();
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        using (next)
        {
            Assert.Equal(0, Entry(await RelayDaemon.ReadJsonAsync(next, 200), "local")["failures"]!.GetValue<int>());
        }
    }

    private async Task<JsonObject> PostAsync(string body, int status)
    {
        using var response = await _daemon.Client.PostAsync("/gateway/stress-tests", RelayDaemon.Json(body));
        return await RelayDaemon.ReadJsonAsync(response, status);
    }

    private static JsonObject Entry(JsonObject result, string name) =>
        Assert.Single(result["providers"]!.AsArray(), p => p!["name"]!.GetValue<string>() == name)!.AsObject();

    private async Task<List<JsonNode?>> StressSandboxesAsync()
    {
        var list = await _daemon.Client.GetFromJsonAsync<JsonObject>("/sandbox");
        Assert.NotNull(list);
        return [.. list["sandboxes"]!.AsArray().Where(s => s!["metadata"]?["purpose"]?.GetValue<string>() == "stress_test")];
    }
}
