using System.Net.Http.Json;
using System.Text.Json;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Daemon;

/// <summary>Bad input gets the SPEC's error shape and a fitting status, never a 500, and loses nothing.</summary>
public sealed class BadInputTests(SharedDaemon shared) : IClassFixture<SharedDaemon>
{
    private readonly RelayDaemon _daemon = shared.Daemon;

    [Theory]
    [InlineData("{\"code\": ")]
    [InlineData("not json at all")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"code\": 12}")]
    [InlineData("{\"code\": \"true\", \"timeout\": \"soon\"}")]
    [InlineData("{\"code\": \"true\", \"env\": {\"A\": 1}}")]
    public async Task Malformed_or_mistyped_run_bodies_are_400(string body)
    {
        var id = await _daemon.CreateSandboxAsync();
        using var response = await _daemon.Client.PostAsync($"/sandbox/{id}/run", RelayDaemon.Json(body));
        Assert.Equal("invalid_json", await RelayDaemon.ReadErrorAsync(response, 400));
    }

    [Fact]
    public async Task A_mistyped_field_is_named_in_the_message()
    {
        var id = await _daemon.CreateSandboxAsync();
        using var response = await _daemon.Client.PostAsync($"/sandbox/{id}/run", RelayDaemon.Json("{\"code\": \"true\", \"timeout\": \"soon\"}"));
        var json = await RelayDaemon.ReadJsonAsync(response, 400);
        Assert.StartsWith("timeout:", json["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"code\": \"\"}", "code")]
    [InlineData("{\"code\": \"true\", \"timeout\": -1}", "timeout")]
    [InlineData("{\"code\": \"true\", \"timeout\": 0}", "timeout")]
    [InlineData("{\"code\": \"true\", \"language\": \"cobol\"}", "language")]
    [InlineData("{\"code\": \"true\", \"cwd\": \"../..\"}", "cwd")]
    [InlineData("{\"code\": \"true\", \"cwd\": \"no-such-dir\"}", "cwd")]
    [InlineData("{\"code\": \"true\", \"env\": {\"BAD NAME\": \"x\"}}", "env.BAD NAME")]
    public async Task Invalid_run_fields_are_400_naming_the_field(string body, string field)
    {
        var id = await _daemon.CreateSandboxAsync();
        using var response = await _daemon.Client.PostAsync($"/sandbox/{id}/run", RelayDaemon.Json(body));
        var json = await RelayDaemon.ReadJsonAsync(response, 400);
        Assert.StartsWith(field + ":", json["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"runtime\": \"cobol\"}")]
    [InlineData("{\"timeout_minutes\": 0}")]
    [InlineData("{\"timeout_minutes\": 100000}")]
    [InlineData("{\"network\": \"yes\"}")]
    [InlineData("{\"metadata\": [1]}")]
    public async Task Invalid_create_bodies_are_400(string body)
    {
        using var response = await _daemon.Client.PostAsync("/sandbox", RelayDaemon.Json(body));
        var code = await RelayDaemon.ReadErrorAsync(response, 400);
        Assert.Contains(code, new[] { "invalid_json", "invalid_request" });
    }

    [Fact]
    public async Task An_empty_create_body_makes_a_default_sandbox()
    {
        using var response = await _daemon.Client.PostAsync("/sandbox", null);
        var record = await RelayDaemon.ReadJsonAsync(response, 201);
        Assert.Equal("shell", record["runtime"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("sbx_unknown00000000")]
    [InlineData("..%2F..%2Fetc")]
    [InlineData("sbx_../../relay")]
    [InlineData("not-an-id")]
    public async Task Unknown_or_malformed_ids_are_404(string id)
    {
        using var get = await _daemon.Client.GetAsync($"/sandbox/{id}");
        Assert.Equal("sandbox_not_found", await RelayDaemon.ReadErrorAsync(get, 404));
        using var run = await _daemon.Client.PostAsJsonAsync($"/sandbox/{id}/run", new { code = "true" });
        Assert.Equal("sandbox_not_found", await RelayDaemon.ReadErrorAsync(run, 404));
        using var state = await _daemon.Client.GetAsync($"/sandbox/{id}/state");
        Assert.Equal("sandbox_not_found", await RelayDaemon.ReadErrorAsync(state, 404));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_over_the_cap_is_413_and_writes_nothing(bool chunked)
    {
        var id = await _daemon.CreateSandboxAsync();
        // The file endpoint admits twice the 16 MiB file limit and a megabyte (the largest file as
        // escaped JSON text); 34 MiB is past that. A declared length over the cap is refused
        // before a byte of the body is read; a chunked one only once the cap is passed. Either way
        // the client is still writing when the daemon decides, and must still read the 413.
        var json = JsonSerializer.SerializeToUtf8Bytes(new { path = "huge.txt", content = new string('a', 34 * 1024 * 1024) });
        HttpContent content = chunked ? new StreamContent(new MemoryStream(json)) : new ByteArrayContent(json);
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/sandbox/{id}/files") { Content = content };
        request.Headers.TransferEncodingChunked = chunked;
        using var response = await _daemon.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal("payload_too_large", await RelayDaemon.ReadErrorAsync(response, 413));
        Assert.False(File.Exists(Path.Combine(_daemon.WorkspaceOf(id), "huge.txt")));
    }

    [Fact]
    public async Task A_file_over_the_file_limit_is_413_file_too_large_and_writes_nothing()
    {
        var id = await _daemon.CreateSandboxAsync();
        using var response = await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files", new { path = "huge.txt", content = new string('a', 16 * 1024 * 1024 + 1) }, TestContext.Current.CancellationToken);
        Assert.Equal("file_too_large", await RelayDaemon.ReadErrorAsync(response, 413));
        Assert.False(File.Exists(Path.Combine(_daemon.WorkspaceOf(id), "huge.txt")));
    }

    [Fact]
    public async Task A_file_just_under_the_cap_round_trips()
    {
        var id = await _daemon.CreateSandboxAsync();
        var big = new string('b', 12 * 1024 * 1024);
        await RelayDaemon.ReadJsonAsync(await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files", new { path = "big.txt", content = big }), 200);
        var read = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/sandbox/{id}/files?path=big.txt"), 200);
        Assert.Equal(big.Length, read["content"]!.GetValue<string>().Length);
    }

    [Fact]
    public async Task Concurrent_runs_and_state_writes_on_one_sandbox_all_succeed()
    {
        var id = await _daemon.CreateSandboxAsync();
        var runs = Enumerable.Range(0, 8).Select(i => _daemon.RunAsync(id, new { code = $"echo {i}" }));
        var writes = Enumerable.Range(0, 8).Select(i => _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/state", new { state = new { n = i } }));

        var results = await Task.WhenAll(runs);
        var responses = await Task.WhenAll(writes);

        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"{i}\n"), results.Select(r => r["stdout"]!.GetValue<string>()));
        Assert.All(responses, response => Assert.Equal(200, (int)response.StatusCode));
        var state = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/sandbox/{id}/state"), 200);
        Assert.InRange(state["state"]!["n"]!.GetValue<int>(), 0, 7);
    }

    [Theory]
    [InlineData(10 * 1024 * 1024, "a", "path_too_long")]
    [InlineData(20_000, "./", "path_too_long")]
    [InlineData(1_200, "d/", "path_too_deep")]
    public async Task Paths_that_would_cost_too_much_are_400_before_any_work(int count, string unit, string code)
    {
        var id = await _daemon.CreateSandboxAsync();
        var path = string.Concat(Enumerable.Repeat(unit, count)) + "f";

        using var write = await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files", new { path, content = "x" });
        Assert.Equal(code, await RelayDaemon.ReadErrorAsync(write, 400));
        using var run = await _daemon.Client.PostAsJsonAsync($"/sandbox/{id}/run", new { code = "true", cwd = path });
        Assert.Equal(code, await RelayDaemon.ReadErrorAsync(run, 400));
        Assert.False(Directory.Exists(Path.Combine(_daemon.WorkspaceOf(id), "d")));
    }

    [Fact]
    public async Task Planted_special_files_links_and_loops_are_4xx_and_nothing_outside_changes()
    {
        var id = await _daemon.CreateSandboxAsync();
        var planted = $"planted-{Guid.NewGuid():N}";
        var setup = await _daemon.RunAsync(id, new { code = "mkfifo fifo && mkdir sub && ln -s / sub/l && ln -s sub/l/proc/self/environ a && ln -s /dev/zero zero && ln -s loop loop" });
        Assert.Equal(0, setup["exit_code"]!.GetValue<int>());

        using var fifo = await _daemon.Client.GetAsync($"/sandbox/{id}/files?path=fifo");
        Assert.Equal("not_a_regular_file", await RelayDaemon.ReadErrorAsync(fifo, 409));
        using var overFifo = await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files", new { path = "fifo", content = "x" });
        Assert.Equal("not_a_regular_file", await RelayDaemon.ReadErrorAsync(overFifo, 409));
        foreach (var path in new[] { "a", "zero", "loop", "sub/l/etc/passwd" })
        {
            using var read = await _daemon.Client.GetAsync($"/sandbox/{id}/files?path={Uri.EscapeDataString(path)}");
            Assert.Equal("path_outside_workspace", await RelayDaemon.ReadErrorAsync(read, 400));
        }

        using var write = await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files", new { path = $"sub/l/tmp/{planted}", content = "x" });
        Assert.Equal("path_outside_workspace", await RelayDaemon.ReadErrorAsync(write, 400));
        using var cwd = await _daemon.Client.PostAsJsonAsync($"/sandbox/{id}/run", new { code = "touch " + planted, cwd = "sub/l/tmp" });
        Assert.Equal("path_outside_workspace", await RelayDaemon.ReadErrorAsync(cwd, 400));
        Assert.False(File.Exists(Path.Combine("/tmp", planted)));
    }
}
