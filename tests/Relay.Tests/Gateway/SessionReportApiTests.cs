using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Fleet;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Gateway;

/// <summary>
/// The three endpoints a relay reports a session's agent on (SPEC 11), on a real daemon acting as
/// the gateway: entries kept once per id, metadata merged, statuses recorded, relay keys let in.
/// </summary>
public sealed class SessionReportApiTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private RelayDaemon Gateway => fixture.Gateway;

    [Fact]
    public async Task A_batch_sent_again_stores_nothing_twice_and_keeps_the_writers_time_and_order()
    {
        var session = await TranscriptSessionAsync();
        var at = DateTimeOffset.Parse("2025-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture);
        var batch = new JsonObject
        {
            ["entries"] = new JsonArray(
                Entry("ent_1", "first", at),
                Entry("ent_2", "second", at.AddSeconds(1)),
                Entry("ent_3", "third", at.AddSeconds(2))),
        };

        var first = await PostAsync(Gateway.Client, $"/v2/sessions/{session}/transcript", batch, 200);
        Assert.Equal(3, first["appended"]!.GetValue<int>());
        Assert.Equal(0, first["duplicates"]!.GetValue<int>());
        var again = await PostAsync(Gateway.Client, $"/v2/sessions/{session}/transcript", batch, 200);
        Assert.Equal(0, again["appended"]!.GetValue<int>());
        Assert.Equal(3, again["duplicates"]!.GetValue<int>());
        var overlapping = await PostAsync(Gateway.Client, $"/v2/sessions/{session}/transcript", new JsonObject
        {
            ["entries"] = new JsonArray(Entry("ent_3", "third", at), Entry("ent_4", "fourth", at.AddSeconds(3)), Entry("ent_4", "fourth", at.AddSeconds(3))),
        }, 200);
        Assert.Equal(1, overlapping["appended"]!.GetValue<int>());
        Assert.Equal(4, overlapping["transcript_total"]!.GetValue<int>());

        var detail = await RelayDaemon.ReadJsonAsync(await Gateway.Client.GetAsync($"/v2/sessions/{session}?full=1", TestContext.Current.CancellationToken), 200);
        var transcript = detail["transcript"]!.AsArray();
        Assert.Equal(["first", "second", "third", "fourth"], transcript.Select(e => e!["content"]!.GetValue<string>()));
        Assert.Equal(at, transcript[0]!["at"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Metadata_is_merged_one_level_deep_and_a_null_removes_its_key()
    {
        var session = await TranscriptSessionAsync();
        await PatchAsync(Gateway.Client, session, """{"metadata": {"cli_session_id": "thread-1", "usage_total": {"turns": 1}, "drop_me": 1}}""", 200);
        var merged = await PatchAsync(Gateway.Client, session, """{"metadata": {"usage_total": {"input_tokens": 5}, "drop_me": null}}""", 200);

        var metadata = merged["metadata"]!.AsObject();
        Assert.Equal("thread-1", metadata["cli_session_id"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"input_tokens": 5}"""), metadata["usage_total"]), metadata.ToJsonString());
        Assert.False(metadata.ContainsKey("drop_me"));
        Assert.Equal("cursor", metadata["cli_tool"]!.GetValue<string>());
        var detail = await RelayDaemon.ReadJsonAsync(await Gateway.Client.GetAsync($"/v2/sessions/{session}", TestContext.Current.CancellationToken), 200);
        Assert.Equal("thread-1", detail["metadata"]!["cli_session_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Statuses_are_recorded_an_ending_ends_the_session_once_and_a_turn_after_it_is_refused()
    {
        var session = await TranscriptSessionAsync();
        Assert.Equal("running", (await StatusAsync(Gateway.Client, session, """{"status": "running"}""", 200))["status"]!.GetValue<string>());
        Assert.Equal("idle", (await StatusAsync(Gateway.Client, session, """{"status": "idle", "end_reason": "succeeded"}""", 200))["status"]!.GetValue<string>());
        Assert.Equal("terminated", (await StatusAsync(Gateway.Client, session, """{"status": "completed", "end_reason": "complete_on_exit"}""", 200))["status"]!.GetValue<string>());
        // A retried ending answers the ended session.
        Assert.Equal("terminated", (await StatusAsync(Gateway.Client, session, """{"status": "completed"}""", 200))["status"]!.GetValue<string>());
        var refused = await Gateway.Client.PostAsync($"/v2/sessions/{session}/status", RelayDaemon.Json("""{"status": "running"}"""), TestContext.Current.CancellationToken);
        Assert.Equal("session_ended", await RelayDaemon.ReadErrorAsync(refused, 409));

        var failing = await TranscriptSessionAsync();
        Assert.Equal("failed", (await StatusAsync(Gateway.Client, failing, """{"status": "failed", "end_reason": "timed_out"}""", 200))["status"]!.GetValue<string>());
        var events = (await RelayDaemon.ReadJsonAsync(await Gateway.Client.GetAsync($"/gateway/sessions/{failing}", TestContext.Current.CancellationToken), 200))["events"]!.AsArray();
        Assert.Contains(events, e => e!["type"]!.GetValue<string>() == "failed" && e["data"]!["reason"]!.GetValue<string>() == "timed_out");
    }

    [Fact]
    public async Task A_relay_key_may_report_under_v2_and_nowhere_else()
    {
        var session = await TranscriptSessionAsync();
        var (key, _) = await fixture.IssueKeyAsync("reporting-box");
        using var relay = Gateway.CreateClient(key);

        Assert.Equal(1, (await PostAsync(relay, $"/v2/sessions/{session}/transcript", new JsonObject { ["entries"] = new JsonArray(Entry("ent_r", "from b", null)) }, 200))["appended"]!.GetValue<int>());
        await PatchAsync(relay, session, """{"metadata": {"compute_id": "cmp_b"}}""", 200);
        await StatusAsync(relay, session, """{"status": "idle"}""", 200);

        Assert.Equal("forbidden_scope", await RelayDaemon.ReadErrorAsync(await relay.PostAsync($"/gateway/sessions/{session}/transcript", RelayDaemon.Json("""{"entries": [{"role": "user", "content": "x"}]}"""), TestContext.Current.CancellationToken), 403));
        Assert.Equal("forbidden_scope", await RelayDaemon.ReadErrorAsync(await relay.GetAsync($"/v2/sessions/{session}", TestContext.Current.CancellationToken), 403));
        Assert.Equal("forbidden_scope", await RelayDaemon.ReadErrorAsync(await relay.DeleteAsync($"/v2/sessions/{session}", TestContext.Current.CancellationToken), 403));
        using var anonymous = Gateway.CreateClient(null);
        Assert.Equal(401, (int)(await anonymous.PostAsync($"/v2/sessions/{session}/status", RelayDaemon.Json("""{"status": "idle"}"""), TestContext.Current.CancellationToken)).StatusCode);
    }

    [Theory]
    [InlineData("PATCH", "", "not json", 400, "body")]
    [InlineData("PATCH", "", "{}", 400, "metadata")]
    [InlineData("PATCH", "", """{"metadata": [1]}""", 400, "metadata")]
    [InlineData("PATCH", "", """{"metadata": "x"}""", 400, "metadata")]
    [InlineData("POST", "/status", "{}", 400, "status")]
    [InlineData("POST", "/status", """{"status": "sleeping"}""", 400, "status")]
    [InlineData("POST", "/status", """{"status": 1}""", 400, "status")]
    [InlineData("POST", "/status", """{"status": "idle", "end_reason": 7}""", 400, "end_reason")]
    [InlineData("POST", "/status", "[", 400, "body")]
    [InlineData("POST", "/transcript", """{"entries": [{"id": "", "role": "user", "content": "x"}]}""", 400, "entries[0].id")]
    [InlineData("POST", "/transcript", """{"entries": [{"id": 5, "role": "user", "content": "x"}]}""", 400, "id")]
    [InlineData("POST", "/transcript", """{"entries": [{"at": "yesterday", "role": "user", "content": "x"}]}""", 400, "at")]
    public async Task Bad_reports_are_refused_naming_the_field(string method, string suffix, string body, int status, string field)
    {
        var session = await TranscriptSessionAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), $"/v2/sessions/{session}{suffix}") { Content = RelayDaemon.Json(body) };
        using var response = await Gateway.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var json = await RelayDaemon.ReadJsonAsync(response, status);
        Assert.Contains(field, json["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PATCH", "", """{"metadata": {}}""")]
    [InlineData("POST", "/status", """{"status": "idle"}""")]
    [InlineData("POST", "/transcript", """{"entries": [{"id": "ent_x", "role": "user", "content": "x"}]}""")]
    public async Task An_unknown_session_is_404_and_a_huge_body_413(string method, string suffix, string body)
    {
        using (var request = new HttpRequestMessage(new HttpMethod(method), $"/v2/sessions/ses_nope{suffix}") { Content = RelayDaemon.Json(body) })
        using (var response = await Gateway.Client.SendAsync(request, TestContext.Current.CancellationToken))
        {
            Assert.Equal("session_not_found", await RelayDaemon.ReadErrorAsync(response, 404));
        }

        var session = await TranscriptSessionAsync();
        var huge = Encoding.UTF8.GetBytes(new JsonObject { ["metadata"] = new JsonObject { ["note"] = new string('a', 17 * 1024 * 1024) } }.ToJsonString());
        using var content = new ByteArrayContent(huge);
        content.Headers.ContentType = new("application/json");
        using var large = new HttpRequestMessage(new HttpMethod(method), $"/v2/sessions/{session}{suffix}") { Content = content };
        using var refused = await Gateway.Client.SendAsync(large, TestContext.Current.CancellationToken);
        Assert.Equal("payload_too_large", await RelayDaemon.ReadErrorAsync(refused, 413));
    }

    private async Task<string> TranscriptSessionAsync()
    {
        using var created = await Gateway.Client.PostAsJsonAsync("/v2/sessions", new JsonObject
        {
            ["session_type"] = "transcript",
            ["compute"] = null,
            ["metadata"] = new JsonObject { ["cli_tool"] = "cursor" },
        }, TestContext.Current.CancellationToken);
        return (await RelayDaemon.ReadJsonAsync(created, 200))["session_id"]!.GetValue<string>();
    }

    private static JsonObject Entry(string id, string content, DateTimeOffset? at)
    {
        var entry = new JsonObject { ["id"] = id, ["role"] = "assistant", ["kind"] = "text", ["content"] = content };
        if (at is { } when)
        {
            entry["at"] = when.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        }

        return entry;
    }

    private static async Task<JsonObject> PostAsync(HttpClient client, string path, JsonObject body, int status) =>
        await RelayDaemon.ReadJsonAsync(await client.PostAsync(path, RelayDaemon.Json(body.ToJsonString()), TestContext.Current.CancellationToken), status);

    private static async Task<JsonObject> PatchAsync(HttpClient client, string session, string body, int status) =>
        await RelayDaemon.ReadJsonAsync(await client.PatchAsync($"/v2/sessions/{session}", RelayDaemon.Json(body), TestContext.Current.CancellationToken), status);

    private static async Task<JsonObject> StatusAsync(HttpClient client, string session, string body, int status) =>
        await RelayDaemon.ReadJsonAsync(await client.PostAsync($"/v2/sessions/{session}/status", RelayDaemon.Json(body), TestContext.Current.CancellationToken), status);
}
