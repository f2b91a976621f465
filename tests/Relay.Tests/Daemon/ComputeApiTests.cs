using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Daemon;

/// <summary>Every call of the compute contract over real HTTP, against real processes.</summary>
public sealed class ComputeApiTests(SharedDaemon shared) : IClassFixture<SharedDaemon>
{
    private readonly RelayDaemon _daemon = shared.Daemon;

    [Fact]
    public async Task Create_returns_a_record_that_get_and_list_show()
    {
        using var response = await _daemon.Client.PostAsJsonAsync("/sandbox", new { runtime = "shell", timeout_minutes = 5, metadata = new { owner = "tests" } });
        var record = await RelayDaemon.ReadJsonAsync(response, 201);
        var id = record["sandbox_id"]!.GetValue<string>();

        Assert.StartsWith("sbx_", id, StringComparison.Ordinal);
        Assert.Equal("local", record["provider"]!.GetValue<string>());
        Assert.Equal("ready", record["status"]!.GetValue<string>());
        Assert.Equal("shell", record["runtime"]!.GetValue<string>());
        Assert.False(record["network"]!.GetValue<bool>());
        Assert.Equal("tests", record["metadata"]!["owner"]!.GetValue<string>());
        var created = DateTimeOffset.Parse(record["created_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        var expires = DateTimeOffset.Parse(record["expires_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromMinutes(5), expires - created);
        Assert.True(Directory.Exists(_daemon.WorkspaceOf(id)));

        var fetched = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/sandbox/{id}"), 200);
        Assert.Equal(id, fetched["sandbox_id"]!.GetValue<string>());
        var list = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync("/sandbox"), 200);
        Assert.Contains(list["sandboxes"]!.AsArray(), item => item!["sandbox_id"]!.GetValue<string>() == id);
    }

    [Fact]
    public async Task Run_separates_stdout_and_stderr_and_reports_the_exit_code()
    {
        var id = await _daemon.CreateSandboxAsync();
        var result = await _daemon.RunAsync(id, new { code = "echo out; echo err >&2; exit 7" });

        Assert.Equal(id, result["sandbox_id"]!.GetValue<string>());
        Assert.Equal(7, result["exit_code"]!.GetValue<int>());
        Assert.Equal("out\n", result["stdout"]!.GetValue<string>());
        Assert.Equal("err\n", result["stderr"]!.GetValue<string>());
        Assert.False(result["timed_out"]!.GetValue<bool>());
        Assert.False(result["truncated"]!.GetValue<bool>());
        Assert.True(result["duration_ms"]!.GetValue<long>() >= 0);
    }

    [Fact]
    public async Task Run_passes_stdin_cwd_and_env_and_runs_in_the_workspace()
    {
        var id = await _daemon.CreateSandboxAsync(new { env = new Dictionary<string, string> { ["FROM_SANDBOX"] = "s" } });
        await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files", new { path = "sub/marker.txt", content = "m" });

        var result = await _daemon.RunAsync(id, new
        {
            code = "cat; echo; pwd; echo $FROM_SANDBOX $FROM_RUN; ls; echo $HOME",
            cwd = "sub",
            env = new Dictionary<string, string> { ["FROM_RUN"] = "r" },
            stdin = "from stdin",
        });

        var lines = result["stdout"]!.GetValue<string>().Split('\n');
        Assert.Equal("from stdin", lines[0]);
        Assert.Equal(Path.Combine(_daemon.WorkspaceOf(id), "sub"), lines[1]);
        Assert.Equal("s r", lines[2]);
        Assert.Equal("marker.txt", lines[3]);
        Assert.Equal(_daemon.WorkspaceOf(id), lines[4]);
    }

    [Theory]
    [InlineData("python", "print(6 * 7)", "42\n")]
    [InlineData("node", "console.log(6 * 7)", "42\n")]
    [InlineData("bash", "echo $((6 * 7))", "42\n")]
    public async Task Run_uses_the_interpreter_the_language_names(string language, string code, string expected)
    {
        var id = await _daemon.CreateSandboxAsync();
        var result = await _daemon.RunAsync(id, new { code, language });
        Assert.Equal(expected, result["stdout"]!.GetValue<string>());
        Assert.Equal(0, result["exit_code"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_timeout_kills_the_whole_process_tree()
    {
        var id = await _daemon.CreateSandboxAsync();
        const string marker = "4711.25";
        var result = await _daemon.RunAsync(id, new { code = $"sleep {marker} & (sleep {marker} &) ; sleep {marker}", timeout = 1 });

        Assert.True(result["timed_out"]!.GetValue<bool>());
        Assert.Equal(137, result["exit_code"]!.GetValue<int>());
        Assert.Equal(0, await ProcessTable.WaitUntilGoneAsync(marker, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Output_past_the_cap_is_cut_and_flagged()
    {
        var id = await _daemon.CreateSandboxAsync();
        var result = await _daemon.RunAsync(id, new { code = "head -c 3000000 /dev/zero | tr '\\0' a; echo done >&2" });

        Assert.True(result["truncated"]!.GetValue<bool>());
        Assert.Equal(1024 * 1024, result["stdout"]!.GetValue<string>().Length);
        Assert.Equal("done\n", result["stderr"]!.GetValue<string>());
        Assert.Equal(0, result["exit_code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Stream_sends_chunks_as_they_come_then_one_exit()
    {
        var id = await _daemon.CreateSandboxAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/sandbox/{id}/run/stream")
        {
            Content = JsonContent.Create(new { code = "echo one; sleep 0.3; echo two >&2; printf 'a\\nb'; exit 4" }),
        };
        using var response = await _daemon.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);

        var events = await ServerSentEvents.ReadAllAsync(response);

        Assert.Equal("one\n", string.Concat(events.Where(e => e.Name == "stdout").Select(e => e.Data)).Split("a\nb")[0]);
        Assert.Contains(events, e => e.Name == "stdout" && e.Data.Contains("a\nb", StringComparison.Ordinal));
        Assert.Equal("two\n", string.Concat(events.Where(e => e.Name == "stderr").Select(e => e.Data)));
        Assert.Equal("exit", events[^1].Name);
        var exit = JsonNode.Parse(events[^1].Data)!;
        Assert.Equal(4, exit["exit_code"]!.GetValue<int>());
        Assert.False(exit["timed_out"]!.GetValue<bool>());
        Assert.Single(events, e => e.Name == "exit");
    }

    [Fact]
    public async Task Stream_for_an_unknown_sandbox_is_a_404_not_a_broken_stream()
    {
        using var response = await _daemon.Client.PostAsJsonAsync("/sandbox/sbx_doesnotexist0000/run/stream", new { code = "true" });
        Assert.Equal("sandbox_not_found", await RelayDaemon.ReadErrorAsync(response, 404));
    }

    [Fact]
    public async Task Files_round_trip_as_utf8_and_base64_with_a_mode()
    {
        var id = await _daemon.CreateSandboxAsync();
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        var written = await RelayDaemon.ReadJsonAsync(await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files",
            new { path = "bin/tool.sh", content = "#!/bin/sh\necho tool ✓\n", mode = "0755" }), 200);
        Assert.Equal("bin/tool.sh", written["path"]!.GetValue<string>());
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount("#!/bin/sh\necho tool ✓\n"), written["size"]!.GetValue<long>());
        await RelayDaemon.ReadJsonAsync(await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files",
            new { path = "data.bin", content = Convert.ToBase64String(bytes), encoding = "base64" }), 200);

        var run = await _daemon.RunAsync(id, new { code = "./bin/tool.sh" });
        Assert.Equal("tool ✓\n", run["stdout"]!.GetValue<string>());
        var text = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/sandbox/{id}/files?path=bin/tool.sh"), 200);
        Assert.Equal("#!/bin/sh\necho tool ✓\n", text["content"]!.GetValue<string>());
        Assert.Equal("utf8", text["encoding"]!.GetValue<string>());
        var binary = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/sandbox/{id}/files?path=data.bin&encoding=base64"), 200);
        Assert.Equal(bytes, Convert.FromBase64String(binary["content"]!.GetValue<string>()));
        Assert.Equal(256, binary["size"]!.GetValue<long>());

        using var notText = await _daemon.Client.GetAsync($"/sandbox/{id}/files?path=data.bin");
        Assert.Equal("not_utf8", await RelayDaemon.ReadErrorAsync(notText, 422));
        using var missing = await _daemon.Client.GetAsync($"/sandbox/{id}/files?path=nope.txt");
        Assert.Equal("file_not_found", await RelayDaemon.ReadErrorAsync(missing, 404));
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../escape.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("~/x")]
    public async Task Files_outside_the_workspace_are_refused(string path)
    {
        var id = await _daemon.CreateSandboxAsync();
        using var write = await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files", new { path, content = "x" });
        Assert.Equal("path_outside_workspace", await RelayDaemon.ReadErrorAsync(write, 400));
        using var read = await _daemon.Client.GetAsync($"/sandbox/{id}/files?path={Uri.EscapeDataString(path)}");
        Assert.Equal("path_outside_workspace", await RelayDaemon.ReadErrorAsync(read, 400));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_daemon.WorkspaceOf(id))!, "escape.txt")));
    }

    [Fact]
    public async Task Symbolic_links_that_leave_the_workspace_are_never_followed()
    {
        var id = await _daemon.CreateSandboxAsync();
        var outside = Path.Combine(_daemon.Home, "outside-secret.txt");
        await File.WriteAllTextAsync(outside, "secret", TestContext.Current.CancellationToken);
        File.CreateSymbolicLink(Path.Combine(_daemon.WorkspaceOf(id), "link.txt"), outside);
        Directory.CreateSymbolicLink(Path.Combine(_daemon.WorkspaceOf(id), "linkdir"), _daemon.Home);
        File.CreateSymbolicLink(Path.Combine(_daemon.WorkspaceOf(id), "inside.txt"), "real.txt");
        // The kernel resolves beneath the workspace and judges an absolute link outside, wherever it points.
        File.CreateSymbolicLink(Path.Combine(_daemon.WorkspaceOf(id), "absolute.txt"), Path.Combine(_daemon.WorkspaceOf(id), "real.txt"));
        await File.WriteAllTextAsync(Path.Combine(_daemon.WorkspaceOf(id), "real.txt"), "fine", TestContext.Current.CancellationToken);

        using var read = await _daemon.Client.GetAsync($"/sandbox/{id}/files?path=link.txt");
        Assert.Equal("path_outside_workspace", await RelayDaemon.ReadErrorAsync(read, 400));
        using var write = await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files", new { path = "linkdir/planted.txt", content = "x" });
        Assert.Equal("path_outside_workspace", await RelayDaemon.ReadErrorAsync(write, 400));
        using var overwrite = await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files", new { path = "link.txt", content = "x" });
        Assert.Equal("path_outside_workspace", await RelayDaemon.ReadErrorAsync(overwrite, 400));
        Assert.False(File.Exists(Path.Combine(_daemon.Home, "planted.txt")));
        Assert.Equal("secret", await File.ReadAllTextAsync(outside, TestContext.Current.CancellationToken));

        using var absolute = await _daemon.Client.GetAsync($"/sandbox/{id}/files?path=absolute.txt");
        Assert.Equal("path_outside_workspace", await RelayDaemon.ReadErrorAsync(absolute, 400));

        var inside = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/sandbox/{id}/files?path=inside.txt"), 200);
        Assert.Equal("fine", inside["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task State_is_stored_and_read_back()
    {
        var id = await _daemon.CreateSandboxAsync();
        var empty = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/sandbox/{id}/state"), 200);
        Assert.Empty(empty["state"]!.AsObject());

        var set = await RelayDaemon.ReadJsonAsync(await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/state", new { state = new { step = 3, tags = new[] { "a" } } }), 200);
        Assert.Equal(3, set["state"]!["step"]!.GetValue<int>());
        var got = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/sandbox/{id}/state"), 200);
        Assert.Equal(id, got["sandbox_id"]!.GetValue<string>());
        Assert.Equal("a", got["state"]!["tags"]![0]!.GetValue<string>());
        Assert.NotNull(got["updated_at"]);

        using var notObject = await _daemon.Client.PutAsync($"/sandbox/{id}/state", RelayDaemon.Json("{\"state\": [1, 2]}"));
        Assert.Equal("invalid_request", await RelayDaemon.ReadErrorAsync(notObject, 400));
        var unchanged = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/sandbox/{id}/state"), 200);
        Assert.Equal(3, unchanged["state"]!["step"]!.GetValue<int>());
    }

    [Fact]
    public async Task Delete_kills_running_work_and_removes_the_workspace()
    {
        var id = await _daemon.CreateSandboxAsync();
        const string marker = "5813.75";
        var running = _daemon.Client.PostAsJsonAsync($"/sandbox/{id}/run", new { code = $"sleep {marker}" });
        await WaitForAsync(() => ProcessTable.CountWithArgument(marker) > 0);

        // Under bubblewrap a sandbox's /tmp is private; deleting the sandbox must never touch the host's.
        var canary = Path.Combine(Path.GetTempPath(), $"cerver-canary-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(canary, "still here", TestContext.Current.CancellationToken);

        var deleted = await RelayDaemon.ReadJsonAsync(await _daemon.Client.DeleteAsync($"/sandbox/{id}"), 200);
        Assert.True(File.Exists(canary), "deleting a sandbox removed a file from the host's temporary folder");
        File.Delete(canary);
        Assert.Equal("terminated", deleted["status"]!.GetValue<string>());

        using var runResponse = await running;
        Assert.Equal("sandbox_deleted", await RelayDaemon.ReadErrorAsync(runResponse, 409));
        Assert.Equal(0, await ProcessTable.WaitUntilGoneAsync(marker, TimeSpan.FromSeconds(10)));
        Assert.False(Directory.Exists(_daemon.WorkspaceOf(id)));
        using var gone = await _daemon.Client.GetAsync($"/sandbox/{id}");
        Assert.Equal("sandbox_not_found", await RelayDaemon.ReadErrorAsync(gone, 404));
        using var again = await _daemon.Client.DeleteAsync($"/sandbox/{id}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Delete_unlinks_links_in_the_workspace_without_following_them()
    {
        var id = await _daemon.CreateSandboxAsync();
        var outside = Directory.CreateDirectory(Path.Combine(_daemon.Home, $"outside-{Guid.NewGuid():N}")).FullName;
        var kept = Path.Combine(outside, "keep.txt");
        await File.WriteAllTextAsync(kept, "keep", TestContext.Current.CancellationToken);
        var setup = await _daemon.RunAsync(id, new { code = $"mkdir -p sub && ln -s '{outside}' sub/out && ln -s ../.. sub/up && ln -s '{kept}' file" });
        Assert.Equal(0, setup["exit_code"]!.GetValue<int>());

        await RelayDaemon.ReadJsonAsync(await _daemon.Client.DeleteAsync($"/sandbox/{id}"), 200);

        Assert.False(Directory.Exists(_daemon.WorkspaceOf(id)));
        Assert.Equal("keep", await File.ReadAllTextAsync(kept, TestContext.Current.CancellationToken));
        Assert.True(Directory.Exists(Path.GetDirectoryName(_daemon.WorkspaceOf(id))));
    }

    [Fact]
    public async Task Install_with_npm_installs_into_the_workspace()
    {
        var id = await _daemon.CreateSandboxAsync(new { runtime = "node" });
        await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files", new { path = "vendor/hello-cerver/package.json", content = "{\"name\":\"hello-cerver\",\"version\":\"1.0.0\",\"main\":\"index.js\"}" });
        await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files", new { path = "vendor/hello-cerver/index.js", content = "module.exports = () => 'hello from a package';" });

        var install = await RelayDaemon.ReadJsonAsync(await _daemon.Client.PostAsJsonAsync($"/sandbox/{id}/packages", new { manager = "npm", packages = new[] { "./vendor/hello-cerver" } }), 200);
        Assert.True(install["exit_code"]!.GetValue<int>() == 0, install.ToJsonString());

        var run = await _daemon.RunAsync(id, new { code = "console.log(require('hello-cerver')())", language = "node" });
        Assert.Equal("hello from a package\n", run["stdout"]!.GetValue<string>());
    }

    [Fact]
    public async Task Install_refuses_option_injection_and_unknown_managers()
    {
        var id = await _daemon.CreateSandboxAsync(new { runtime = "python" });
        using var injected = await _daemon.Client.PostAsJsonAsync($"/sandbox/{id}/packages", new { manager = "pip", packages = new[] { "--index-url=http://evil.example/simple" } });
        Assert.Equal("invalid_request", await RelayDaemon.ReadErrorAsync(injected, 400));
        using var unknown = await _daemon.Client.PostAsJsonAsync($"/sandbox/{id}/packages", new { manager = "brew", packages = new[] { "x" } });
        Assert.Equal("invalid_request", await RelayDaemon.ReadErrorAsync(unknown, 400));
        using var none = await _daemon.Client.PostAsJsonAsync($"/sandbox/{id}/packages", new { manager = "pip", packages = Array.Empty<string>() });
        Assert.Equal("invalid_request", await RelayDaemon.ReadErrorAsync(none, 400));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
