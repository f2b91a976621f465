using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Gateway;

/// <summary>The embedded gateway's session API over real HTTP, compared with the seed's examples.</summary>
public sealed class SessionApiTests(SharedDaemon shared) : IClassFixture<SharedDaemon>
{
    private readonly RelayDaemon _daemon = shared.Daemon;

    private static object ShellSession(string name = "tests") => new
    {
        task = "Run a quick shell command",
        workload = "general",
        requirements = new { runtime = "shell", timeout_minutes = 5 },
        session_name = name,
    };

    private async Task<JsonObject> CreateAsync(object? body = null) =>
        await RelayDaemon.ReadJsonAsync(await _daemon.Client.PostAsJsonAsync("/gateway/sessions", body ?? ShellSession()), 200);

    [Fact]
    public async Task Create_routes_to_this_machine_and_answers_in_the_seeds_shape()
    {
        var session = await CreateAsync();

        JsonShape.AssertMatches(JsonShape.Contract("gateway-session-create.response.json"), session);
        JsonShape.AssertMatches(JsonShape.Contract("gateway-session-create-preview.response.json"), session);
        Assert.StartsWith("ses_", session["session_id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("ready", session["status"]!.GetValue<string>());
        Assert.Equal("local", session["provider"]!.GetValue<string>());
        Assert.Equal("tests", session["session_name"]!.GetValue<string>());
        var sandbox = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/sandbox/{session["sandbox_id"]}"), 200);
        Assert.Equal(session["compute_id"]!.GetValue<string>(), sandbox["compute_id"]!.GetValue<string>());
        Assert.True(session["metrics"]!["provision_time_ms"]!.GetValue<long>() >= 0);
        Assert.Equal("warming", session["metrics"]!["engagement_label"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_answers_409_with_the_report_when_no_executable_provider_qualifies()
    {
        var request = JsonShape.Contract("gateway-session-create.request.json");
        using var response = await _daemon.Client.PostAsync("/gateway/sessions", RelayDaemon.Json(request.ToJsonString()));
        var report = await RelayDaemon.ReadJsonAsync(response, 409);

        Assert.Equal("no_executable_provider", report["error"]!["code"]!.GetValue<string>());
        JsonShape.AssertMatches(JsonShape.Contract("gateway-recommend.response.json"), report);
        Assert.Null(report["decision"]!["recommended_provider"]);
        Assert.All(report["providers"]!.AsArray(), provider => Assert.Equal("filtered", provider!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Recommend_scores_the_modeled_providers_in_the_seeds_shape()
    {
        var request = JsonShape.Contract("gateway-session-create-full.request.json");
        var report = await RelayDaemon.ReadJsonAsync(await _daemon.Client.PostAsync("/gateway/recommend", RelayDaemon.Json(request.ToJsonString())), 200);

        JsonShape.AssertMatches(JsonShape.Contract("gateway-recommend.response.json"), report);
        var recommended = report["decision"]!["recommended_provider"]!.GetValue<string>();
        Assert.Contains(recommended, new[] { "vercel", "cloudflare", "e2b" });
        Assert.False(string.IsNullOrWhiteSpace(report["human_summary"]!["headline"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Run_wraps_the_result_and_records_tool_use_and_tool_result()
    {
        var session = await CreateAsync();
        var id = session["session_id"]!.GetValue<string>();

        var run = await RelayDaemon.ReadJsonAsync(await _daemon.Client.PostAsJsonAsync($"/gateway/sessions/{id}/run", new { code = "echo hello from cerver", timeout = 30 }), 200);
        Assert.Equal("hello from cerver\n", run["result"]!["stdout"]!.GetValue<string>());
        Assert.Equal("idle", run["status"]!.GetValue<string>());
        Assert.Equal(1, run["metrics"]!["total_exec_count"]!.GetValue<int>());

        var metrics = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/gateway/sessions/{id}/metrics"), 200);
        JsonShape.AssertMatches(JsonShape.Contract("gateway-session-metrics.response.json"), metrics);
        Assert.NotNull(metrics["metrics"]!["time_to_first_exec_ms"]);
        Assert.Equal(run["duration_ms"]!.GetValue<long>(), metrics["metrics"]!["last_exec_latency_ms"]!.GetValue<long>());

        var detail = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/gateway/sessions/{id}"), 200);
        var transcript = detail["transcript"]!.AsArray();
        Assert.Equal(["tool_use", "tool_result"], transcript.Select(entry => entry!["kind"]!.GetValue<string>()));
        Assert.Equal("echo hello from cerver", transcript[0]!["content"]!.GetValue<string>());
        Assert.Contains("exit_code: 0", transcript[1]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(detail["events"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "provisioned");
        Assert.Contains(detail["events"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "exec");
    }

    [Fact]
    public async Task Stream_carries_the_cerver_headers_and_counts_as_a_stream()
    {
        var id = (await CreateAsync())["session_id"]!.GetValue<string>();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/gateway/sessions/{id}/run/stream") { Content = JsonContent.Create(new { code = "echo one; echo two >&2" }) };
        using var response = await _daemon.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(id, response.Headers.GetValues("X-Cerver-Session-Id").Single());
        Assert.Equal("local", response.Headers.GetValues("X-Cerver-Provider").Single());
        Assert.True(long.Parse(response.Headers.GetValues("X-Cerver-Stream-Latency-Ms").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 0);
        var events = await ServerSentEvents.ReadAllAsync(response);
        Assert.Equal("one\n", string.Concat(events.Where(e => e.Name == "stdout").Select(e => e.Data)));
        Assert.Equal("two\n", string.Concat(events.Where(e => e.Name == "stderr").Select(e => e.Data)));
        Assert.Equal("exit", events[^1].Name);

        var metrics = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/gateway/sessions/{id}/metrics"), 200);
        Assert.Equal(1, metrics["metrics"]!["total_stream_count"]!.GetValue<int>());
        Assert.NotNull(metrics["metrics"]!["average_stream_open_latency_ms"]);
    }

    [Fact]
    public async Task Input_and_the_v2_transcript_pages()
    {
        var id = (await CreateAsync(ShellSession("paging")))["session_id"]!.GetValue<string>();
        foreach (var (role, content) in new[] { ("user", "first"), ("assistant", "second"), ("system", "third"), ("user", "fourth") })
        {
            var input = await RelayDaemon.ReadJsonAsync(await _daemon.Client.PostAsJsonAsync($"/v2/sessions/{id}/input", new { role, content }), 200);
            Assert.Equal(content, input["entry"]!["content"]!.GetValue<string>());
        }

        var tail = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/v2/sessions/{id}?tail=2"), 200);
        Assert.Equal(4, tail["transcriptTotal"]!.GetValue<int>());
        Assert.Equal(["third", "fourth"], tail["transcript"]!.AsArray().Select(e => e!["content"]!.GetValue<string>()));
        Assert.True(tail["transcript"]![0]!.AsObject().ContainsKey("tool_name"));
        var since = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/v2/sessions/{id}?since=3"), 200);
        Assert.Equal(["fourth"], since["transcript"]!.AsArray().Select(e => e!["content"]!.GetValue<string>()));
        var full = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/v2/sessions/{id}?full=1"), 200);
        Assert.Equal(4, full["transcript"]!.AsArray().Count);

        var list = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync("/v2/sessions?limit=200"), 200);
        var summary = list["sessions"]!.AsArray().Single(s => s!["sessionId"]!.GetValue<string>() == id)!;
        Assert.Equal(4, summary["messageCount"]!.GetValue<int>());
        Assert.Equal("paging", summary["sessionName"]!.GetValue<string>());
        Assert.Equal("idle", summary["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_ends_the_session_and_its_sandbox_and_later_runs_are_409()
    {
        var session = await CreateAsync();
        var id = session["session_id"]!.GetValue<string>();

        var ended = await RelayDaemon.ReadJsonAsync(await _daemon.Client.DeleteAsync($"/gateway/sessions/{id}"), 200);
        Assert.Equal("terminated", ended["status"]!.GetValue<string>());
        using var sandbox = await _daemon.Client.GetAsync($"/sandbox/{session["sandbox_id"]}");
        Assert.Equal("sandbox_not_found", await RelayDaemon.ReadErrorAsync(sandbox, 404));
        using var run = await _daemon.Client.PostAsJsonAsync($"/gateway/sessions/{id}/run", new { code = "true" });
        Assert.Equal("session_ended", await RelayDaemon.ReadErrorAsync(run, 409));
        using var input = await _daemon.Client.PostAsJsonAsync($"/gateway/sessions/{id}/input", new { role = "user", content = "late" });
        Assert.Equal("session_ended", await RelayDaemon.ReadErrorAsync(input, 409));
    }

    [Fact]
    public async Task Computes_and_providers_list_this_machine_as_executable()
    {
        var computes = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync("/v2/computes"), 200);
        var local = computes["computes"]!.AsArray().Single()!;
        Assert.StartsWith("cmp_", local["compute_id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("bubblewrap", local["capabilities"]!["isolation"]!.GetValue<string>());

        var providers = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync("/gateway/providers"), 200);
        var names = providers["providers"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["cloudflare", "daytona", "e2b", "local", "vercel"], names.Order(StringComparer.Ordinal));
        Assert.True(providers["providers"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "local")!["executable"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("{\"policy\": {\"mode\": \"fast\"}}", "policy.mode")]
    [InlineData("{\"requirements\": {\"timeout_minutes\": -5}}", "requirements.timeout_minutes")]
    [InlineData("{\"workload\": 12}", "workload")]
    public async Task Bad_session_requests_are_400_naming_the_field(string body, string field)
    {
        using var response = await _daemon.Client.PostAsync("/gateway/sessions", RelayDaemon.Json(body));
        var json = await RelayDaemon.ReadJsonAsync(response, 400);
        Assert.Contains(field, json["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_sessions_are_404_and_bad_inputs_400()
    {
        foreach (var path in new[] { "/gateway/sessions/ses_nope", "/gateway/sessions/ses_nope/metrics", "/v2/sessions/ses_nope" })
        {
            using var response = await _daemon.Client.GetAsync(path);
            Assert.Equal("session_not_found", await RelayDaemon.ReadErrorAsync(response, 404));
        }

        var id = (await CreateAsync())["session_id"]!.GetValue<string>();
        using var badRole = await _daemon.Client.PostAsJsonAsync($"/gateway/sessions/{id}/input", new { role = "robot", content = "x" });
        Assert.StartsWith("role:", (await RelayDaemon.ReadJsonAsync(badRole, 400))["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        using var badTail = await _daemon.Client.GetAsync($"/v2/sessions/{id}?tail=-1");
        Assert.Equal("invalid_request", await RelayDaemon.ReadErrorAsync(badTail, 400));
        using var badStatus = await _daemon.Client.GetAsync("/v2/sessions?status=sleeping");
        Assert.Equal("invalid_request", await RelayDaemon.ReadErrorAsync(badStatus, 400));
        using var noCode = await _daemon.Client.PostAsJsonAsync($"/gateway/sessions/{id}/run", new { timeout = 5 });
        Assert.Equal("invalid_request", await RelayDaemon.ReadErrorAsync(noCode, 400));
    }
}
