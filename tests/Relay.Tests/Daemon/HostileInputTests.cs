using System.Net.Http.Json;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Daemon;

/// <summary>Requests no client should send still get the SPEC's JSON error with a fitting status, never an empty body or a 500.</summary>
public sealed class HostileInputTests(SharedDaemon shared) : IClassFixture<SharedDaemon>
{
    private readonly RelayDaemon _daemon = shared.Daemon;

    [Theory]
    [InlineData("GET", "/no/such/route")]
    [InlineData("POST", "/sandbox/sbx_x/run/stream/extra")]
    [InlineData("GET", "//sandbox")]
    public async Task An_unknown_route_is_404_json(string method, string target)
    {
        var response = await RawHttp.SendAsync(_daemon.BaseUrl, method, target, "127.0.0.1", _daemon.Token);
        Assert.Equal("not_found", response.ErrorCode(404));
    }

    [Theory]
    [InlineData("DELETE", "/sandbox")]
    [InlineData("PATCH", "/sandbox/sbx_x")]
    [InlineData("GET", "/sandbox/sbx_x/./run")]
    public async Task A_wrong_method_is_405_json_naming_the_allowed_ones(string method, string target)
    {
        var response = await RawHttp.SendAsync(_daemon.BaseUrl, method, target, "127.0.0.1", _daemon.Token);
        Assert.Equal("method_not_allowed", response.ErrorCode(405));
        Assert.False(string.IsNullOrEmpty(response.Headers.GetValueOrDefault("allow")));
    }

    [Theory]
    [InlineData("/sandbox/%zz")]
    [InlineData("/sandbox/%")]
    [InlineData("/sandbox/%c0%af")]
    [InlineData("/sandbox/%01")]
    [InlineData("/sandbox?limit=%G1")]
    [InlineData("/healthz?x=%ff")]
    public async Task A_malformed_path_or_escape_is_400_json(string target)
    {
        var response = await RawHttp.SendAsync(_daemon.BaseUrl, "GET", target, "127.0.0.1", _daemon.Token);
        Assert.Equal("malformed_path", response.ErrorCode(400));
    }

    [Theory]
    [InlineData("localhost:99999")]
    [InlineData("localhost:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("[::1]:123456")]
    public async Task A_host_with_an_invalid_port_is_400_json_also_on_the_anonymous_device_endpoint(string host)
    {
        var device = await RawHttp.SendAsync(_daemon.BaseUrl, "POST", "/v2/auth/device", host, jsonBody: "{\"machine_name\": \"m\"}");
        Assert.Equal("invalid_host", device.ErrorCode(400));
        var health = await RawHttp.SendAsync(_daemon.BaseUrl, "GET", "/healthz", host);
        Assert.Equal("invalid_host", health.ErrorCode(400));
    }

    /// <summary>Kestrel refuses these itself, before any of the relay's code runs, with a bare 400 it does not let an application fill in.</summary>
    [Theory]
    [InlineData("localhost:")]
    [InlineData("localhost:80a")]
    [InlineData("[::1")]
    [InlineData("a:1:2")]
    public async Task A_host_header_kestrel_cannot_parse_is_400_not_500(string host)
    {
        var response = await RawHttp.SendAsync(_daemon.BaseUrl, "POST", "/v2/auth/device", host, jsonBody: "{\"machine_name\": \"m\"}");
        Assert.Equal(400, response.Status);
    }

    [Fact]
    public async Task A_loopback_host_with_a_valid_port_is_served()
    {
        var response = await RawHttp.SendAsync(_daemon.BaseUrl, "GET", "/healthz", $"localhost:{_daemon.BaseUrl.Port}");
        Assert.Equal(200, response.Status);
    }

    public static TheoryData<string> BadRunBodies() =>
    [
        "{\"code\": ",
        "not json at all",
        "[1, 2, 3]",
        "{\"code\": 12}",
        "{\"code\": \"\"}",
        "{\"code\": \"true\", \"timeout\": -1}",
        "{\"code\": \"true\", \"timeout\": \"soon\"}",
        "{\"code\": \"true\", \"language\": \"cobol\"}",
        "{\"code\": \"true\", \"cwd\": \"../..\"}",
        "{\"code\": \"true\", \"cwd\": \"no-such-dir\"}",
        "{\"code\": \"true\", \"env\": {\"BAD NAME\": \"x\"}}",
        "{\"code\": \"true\", \"env\": {\"A\": 1}}",
        "null",
    ];

    [Theory]
    [MemberData(nameof(BadRunBodies))]
    public async Task A_bad_compute_stream_body_is_a_4xx_json_before_any_event(string body)
    {
        var id = await _daemon.CreateSandboxAsync();
        await AssertRefusedBeforeStreamAsync($"/sandbox/{id}/run/stream", body);
    }

    [Theory]
    [MemberData(nameof(BadRunBodies))]
    public async Task A_bad_session_stream_body_is_a_4xx_json_before_any_event(string body)
    {
        var session = await RelayDaemon.ReadJsonAsync(await _daemon.Client.PostAsJsonAsync("/gateway/sessions",
            new { task = "hostile", workload = "general", requirements = new { runtime = "shell", timeout_minutes = 30 } }, TestContext.Current.CancellationToken), 200);
        await AssertRefusedBeforeStreamAsync($"/gateway/sessions/{session["session_id"]!.GetValue<string>()}/run/stream", body);
    }

    [Fact]
    public async Task A_stream_of_an_unknown_sandbox_is_404_json()
    {
        await AssertRefusedBeforeStreamAsync("/sandbox/sbx_unknown00000000/run/stream", "{\"code\": \"true\"}", 404);
    }

    [Fact]
    public async Task A_good_stream_body_still_streams()
    {
        var id = await _daemon.CreateSandboxAsync();
        using var response = await _daemon.Client.PostAsync($"/sandbox/{id}/run/stream", RelayDaemon.Json("{\"code\": \"echo hi\"}"), TestContext.Current.CancellationToken);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("event: exit", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunked_body_over_the_cap_is_413_json()
    {
        var id = await _daemon.CreateSandboxAsync();
        // Twice the cap: megabytes still in flight when the cap is passed, which the daemon must
        // read and discard before it answers, or the client's write breaks before it reads the 413.
        var json = new byte[2 * _daemon.Settings.MaxRequestBodyBytes];
        json.AsSpan().Fill((byte)'a');
        "{\"code\": \""u8.CopyTo(json);
        var content = new StreamContent(new MemoryStream(json));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/sandbox/{id}/run") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await _daemon.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal("payload_too_large", await RelayDaemon.ReadErrorAsync(response, 413));
    }

    [Fact]
    public async Task A_megabyte_string_in_a_field_that_is_not_bulk_content_is_400_naming_it()
    {
        var id = await _daemon.CreateSandboxAsync();
        using var response = await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files", new { path = new string('p', 2_000_000), content = "x" }, TestContext.Current.CancellationToken);
        var json = await RelayDaemon.ReadJsonAsync(response, 400);
        Assert.StartsWith("path: ", json["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(json["error"]!["message"]!.GetValue<string>().Length < 200, "the refusal does not echo the string");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_daemon.WorkspaceOf(id)));
    }

    private async Task AssertRefusedBeforeStreamAsync(string path, string body, int? status = null)
    {
        using var response = await _daemon.Client.PostAsync(path, RelayDaemon.Json(body), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status is null ? (int)response.StatusCode is >= 400 and < 500 : (int)response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("event:", text, StringComparison.Ordinal);
        await RelayDaemon.ReadErrorAsync(response, (int)response.StatusCode);
    }
}
