using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Cli;

/// <summary>The executable as a user and a service manager meet it: status, crashes, SIGTERM.</summary>
public sealed class ProcessLifecycleTests
{
    [Fact]
    public async Task Status_exits_3_and_says_how_to_start_when_nothing_runs()
    {
        using var home = new TempDirectory("cerver-home");
        var port = RelayProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var human = await RelayProcess.RunCliAsync(home.Path, ["status"], new Dictionary<string, string> { ["CERVER_RELAY_PORT"] = port });
        Assert.Equal(3, human.ExitCode);
        Assert.Contains("not running", human.Stdout, StringComparison.Ordinal);
        Assert.Contains("cerver-relay run", human.Stdout, StringComparison.Ordinal);

        var json = await RelayProcess.RunCliAsync(home.Path, ["status", "--json"], new Dictionary<string, string> { ["CERVER_RELAY_PORT"] = port });
        Assert.Equal(3, json.ExitCode);
        Assert.False(JsonNode.Parse(json.Stdout)!["running"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Status_reports_a_running_daemon_and_acknowledged_state_survives_kill_9()
    {
        using var home = new TempDirectory("cerver-home");
        string sandboxId;
        int port;
        using (var relay = await RelayProcess.StartAsync(home.Path))
        {
            port = relay.Port;
            var env = new Dictionary<string, string> { ["CERVER_RELAY_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            var status = await RelayProcess.RunCliAsync(home.Path, ["status", "--json"], env);
            Assert.Equal(0, status.ExitCode);
            var report = JsonNode.Parse(status.Stdout)!;
            Assert.True(report["running"]!.GetValue<bool>());
            Assert.Equal(relay.Pid, report["pid"]!.GetValue<int>());
            Assert.StartsWith("cmp_", report["compute_id"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal("bubblewrap", report["isolation"]!.GetValue<string>());
            var human = await RelayProcess.RunCliAsync(home.Path, ["status"], env);
            Assert.Contains("isolation  bubblewrap", human.Stdout, StringComparison.Ordinal);

            using var client = Client(home.Path, port);
            var created = await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync("/sandbox", new { }), 201);
            sandboxId = created["sandbox_id"]!.GetValue<string>();
            await RelayDaemon.ReadJsonAsync(await client.PutAsJsonAsync($"/sandbox/{sandboxId}/state", new { state = new { checkpoint = 42 } }), 200);
            await RelayDaemon.ReadJsonAsync(await client.PutAsJsonAsync($"/sandbox/{sandboxId}/files", new { path = "work.txt", content = "kept" }), 200);

            relay.Kill();
            await relay.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        using var restarted = await RelayProcess.StartAsync(home.Path, port);
        using var again = Client(home.Path, port);
        var state = await RelayDaemon.ReadJsonAsync(await again.GetAsync($"/sandbox/{sandboxId}/state"), 200);
        Assert.Equal(42, state["state"]!["checkpoint"]!.GetValue<int>());
        var file = await RelayDaemon.ReadJsonAsync(await again.GetAsync($"/sandbox/{sandboxId}/files?path=work.txt"), 200);
        Assert.Equal("kept", file["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_process_left_by_a_crashed_daemon_is_killed_at_the_next_start()
    {
        using var home = new TempDirectory("cerver-home");
        const string marker = "6271.5";
        int port;
        using (var relay = await RelayProcess.StartAsync(home.Path, environment: new Dictionary<string, string> { ["CERVER_ISOLATION"] = "none" }))
        {
            port = relay.Port;
            using var client = Client(home.Path, port);
            var id = (await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync("/sandbox", new { }), 201))["sandbox_id"]!.GetValue<string>();
            // setsid detaches the sleep from the run's process group: only the sandbox id in its environment still ties it to the relay.
            await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync($"/sandbox/{id}/run", new { code = $"setsid sleep {marker} > /dev/null 2>&1 < /dev/null &" }), 200);
            Assert.Equal(1, ProcessTable.CountWithArgument(marker));
            relay.Kill();
            await relay.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(1, ProcessTable.CountWithArgument(marker));
        using var restarted = await RelayProcess.StartAsync(home.Path, port, new Dictionary<string, string> { ["CERVER_ISOLATION"] = "none" });
        Assert.Equal(0, await ProcessTable.WaitUntilGoneAsync(marker, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Kill_9_of_the_daemon_leaves_no_bubblewrap_sandbox_process()
    {
        using var home = new TempDirectory("cerver-home");
        const string marker = "6287.25";
        using var relay = await RelayProcess.StartAsync(home.Path, environment: new Dictionary<string, string> { ["CERVER_ISOLATION"] = "bubblewrap" });
        using var client = Client(home.Path, relay.Port);
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

        // No restart: bubblewrap's die-with-parent takes the sandbox's PID namespace down with the daemon.
        Assert.Equal(0, await ProcessTable.WaitUntilGoneAsync(marker, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Sigterm_refuses_new_work_lets_running_work_finish_and_exits_cleanly()
    {
        using var home = new TempDirectory("cerver-home");
        using var relay = await RelayProcess.StartAsync(home.Path);
        using var client = Client(home.Path, relay.Port);
        var id = (await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync("/sandbox", new { }), 201))["sandbox_id"]!.GetValue<string>();

        var running = client.PostAsJsonAsync($"/sandbox/{id}/run", new { code = "touch started; sleep 1; echo finished" });
        // Terminated once the run is in the relay's hands, however slow the machine: work that
        // arrives after SIGTERM is refused, which is another test.
        while (!File.Exists(Path.Combine(home.Path, "relay", "sandboxes", id, "started")))
        {
            Assert.False(running.IsCompleted, "the run ended before it started");
            await Task.Delay(20);
        }

        relay.Terminate();

        var result = await RelayDaemon.ReadJsonAsync(await running, 200);
        Assert.Equal("finished\n", result["stdout"]!.GetValue<string>());
        Assert.Equal(0, await relay.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Version_prints_the_stamped_version()
    {
        using var home = new TempDirectory("cerver-home");
        var version = await RelayProcess.RunCliAsync(home.Path, ["version"]);
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Stdout.Trim());
    }

    [Fact]
    public async Task Doctor_gives_a_verdict_and_flags_a_token_readable_by_others()
    {
        using var home = new TempDirectory("cerver-home");
        Directory.CreateDirectory(Path.Combine(home.Path, "relay"));
        var token = Path.Combine(home.Path, "relay", "local.token");
        await File.WriteAllTextAsync(token, "clt_" + new string('x', 40), TestContext.Current.CancellationToken);
        File.SetUnixFileMode(token, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var port = RelayProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var doctor = await RelayProcess.RunCliAsync(home.Path, ["doctor"], new Dictionary<string, string> { ["CERVER_RELAY_PORT"] = port });

        Assert.Equal(1, doctor.ExitCode);
        Assert.Contains("FAIL  token file", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains($"fix: chmod 600 {token}", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("ok    isolation", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("runtime sh", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("Verdict: 1 problem", doctor.Stdout, StringComparison.Ordinal);

        File.SetUnixFileMode(token, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var fixedRun = await RelayProcess.RunCliAsync(home.Path, ["doctor"], new Dictionary<string, string> { ["CERVER_RELAY_PORT"] = port });
        Assert.Equal(0, fixedRun.ExitCode);
        Assert.Contains("Verdict: ready", fixedRun.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_setting_is_a_clear_error_not_a_crash()
    {
        using var home = new TempDirectory("cerver-home");
        var run = await RelayProcess.RunCliAsync(home.Path, ["run"], new Dictionary<string, string> { ["CERVER_RELAY_PORT"] = "eighty" });
        Assert.Equal(4, run.ExitCode);
        Assert.Contains("CERVER_RELAY_PORT must be a port number", run.Stderr, StringComparison.Ordinal);
    }

    private static HttpClient Client(string home, int port)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(home, "relay", "local.token")).Trim());
        return client;
    }
}
