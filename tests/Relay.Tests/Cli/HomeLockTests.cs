using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Cli;

/// <summary>One daemon per CERVER_HOME, with real processes: the lock, the runtime file, and the CLI finding its own daemon.</summary>
public sealed class HomeLockTests
{
    [Fact]
    public async Task A_second_daemon_on_the_same_home_names_the_first_and_exits_5_without_touching_its_run()
    {
        using var home = new TempDirectory("cerver-home");
        using var first = await RelayProcess.StartAsync(home.Path, environment: new Dictionary<string, string> { ["CERVER_ISOLATION"] = "none" });
        using var client = Client(home.Path, first.Port);
        var id = (await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync("/sandbox", new { }), 201))["sandbox_id"]!.GetValue<string>();
        // The run waits for a file the test writes only after the second daemon has given up, so it is in flight throughout.
        var running = client.PostAsJsonAsync($"/sandbox/{id}/run", new { code = "echo started > started; while [ ! -f go ]; do sleep 0.05; done; echo finished", timeout = 120 });
        await WaitForFileAsync(client, id, "started");

        var second = await RelayProcess.RunCliAsync(home.Path, ["run", "--port", RelayProcess.FreePort().ToString(CultureInfo.InvariantCulture)], new Dictionary<string, string> { ["CERVER_ISOLATION"] = "none" });

        Assert.Equal(5, second.ExitCode);
        var line = Assert.Single(second.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"pid {first.Pid}", line, StringComparison.Ordinal);
        Assert.Contains($"http://127.0.0.1:{first.Port}", line, StringComparison.Ordinal);
        Assert.Contains(home.Path, line, StringComparison.Ordinal);
        Assert.Equal("", second.Stdout);

        await RelayDaemon.ReadJsonAsync(await client.PutAsJsonAsync($"/sandbox/{id}/files", new { path = "go", content = "" }), 200);
        var result = await RelayDaemon.ReadJsonAsync(await running, 200);
        Assert.Equal(0, result["exit_code"]!.GetValue<int>());
        Assert.Equal("finished\n", result["stdout"]!.GetValue<string>());
        Assert.False(first.HasExited);
        // Only the first daemon ever got as far as the start-up clean-up.
        var log = string.Concat(Directory.EnumerateFiles(Path.Combine(home.Path, "relay", "logs")).Select(File.ReadAllText));
        Assert.Single(log.Split('\n'), entry => entry.Contains("Start-up clean-up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_daemon_writes_its_runtime_file_the_cli_finds_it_there_and_a_clean_stop_removes_it()
    {
        using var home = new TempDirectory("cerver-home");
        var runtimeFile = Path.Combine(home.Path, "relay", "daemon.json");
        using var relay = await RelayProcess.StartAsync(home.Path);

        var runtime = JsonNode.Parse(await File.ReadAllTextAsync(runtimeFile, TestContext.Current.CancellationToken))!;
        Assert.Equal(relay.Pid, runtime["pid"]!.GetValue<int>());
        Assert.Equal($"http://127.0.0.1:{relay.Port}", runtime["url"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(runtime["version"]!.GetValue<string>()));
        Assert.NotNull(runtime["started_at"]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(runtimeFile));

        // The configured port names nothing that runs: status reaches the daemon of this home through the file.
        var status = await RelayProcess.RunCliAsync(home.Path, ["status", "--json"], new Dictionary<string, string> { ["CERVER_RELAY_PORT"] = RelayProcess.FreePort().ToString(CultureInfo.InvariantCulture) });
        Assert.Equal(0, status.ExitCode);
        Assert.Equal(relay.Pid, JsonNode.Parse(status.Stdout)!["pid"]!.GetValue<int>());

        relay.Terminate();
        Assert.Equal(0, await relay.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(File.Exists(runtimeFile));
    }

    [Fact]
    public async Task After_kill_9_the_lock_is_gone_and_a_new_daemon_takes_the_home()
    {
        using var home = new TempDirectory("cerver-home");
        int port;
        using (var crashed = await RelayProcess.StartAsync(home.Path))
        {
            port = crashed.Port;
            crashed.Kill();
            await crashed.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        // The dead daemon's runtime file is still there; the CLI does not trust it and asks the configured port.
        Assert.True(File.Exists(Path.Combine(home.Path, "relay", "daemon.json")));
        var configured = RelayProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        var status = await RelayProcess.RunCliAsync(home.Path, ["status"], new Dictionary<string, string> { ["CERVER_RELAY_PORT"] = configured });
        Assert.Equal(3, status.ExitCode);
        Assert.Contains($"http://127.0.0.1:{configured}", status.Stdout, StringComparison.Ordinal);

        using var restarted = await RelayProcess.StartAsync(home.Path, port);
        var runtime = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(home.Path, "relay", "daemon.json"), TestContext.Current.CancellationToken))!;
        Assert.Equal(restarted.Pid, runtime["pid"]!.GetValue<int>());
    }

    private static async Task WaitForFileAsync(HttpClient client, string sandboxId, string path)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            using var response = await client.GetAsync($"/sandbox/{sandboxId}/files?path={path}");
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"the run never wrote {path}");
    }

    private static HttpClient Client(string home, int port)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(home, "relay", "local.token")).Trim());
        return client;
    }
}
