using System.Net.Http.Json;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Limits;

/// <summary>A daemon with small sandbox bounds, against real bubblewrap sandboxes and processes.</summary>
public sealed class SandboxLimitsTests : IAsyncLifetime
{
    private const long MiB = 1024 * 1024;
    private RelayDaemon _daemon = null!;

    public async ValueTask InitializeAsync() => _daemon = await RelayDaemon.StartAsync("auto", environment: new Dictionary<string, string?>
    {
        ["CERVER_SANDBOX_MEMORY_MB"] = "256",
        ["CERVER_SANDBOX_PROCESSES"] = "64",
        ["CERVER_SANDBOX_DISK_MB"] = "8",
        ["CERVER_SANDBOX_FILE_MB"] = "64",
    });

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();

    [Fact]
    public async Task The_record_and_status_report_the_limits_and_how_they_are_enforced()
    {
        var id = await _daemon.CreateSandboxAsync();
        var record = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/sandbox/{id}"), 200);
        var status = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync("/relay/status"), 200);

        foreach (var limits in new[] { record["limits"]!, status["limits"]! })
        {
            Assert.Equal(256 * MiB, limits["memory_bytes"]!.GetValue<long>());
            Assert.Equal(64, limits["processes"]!.GetValue<int>());
            Assert.Equal(8 * MiB, limits["workspace_bytes"]!.GetValue<long>());
            Assert.Equal(64 * MiB, limits["file_size_bytes"]!.GetValue<long>());
            Assert.Equal("rlimit", limits["enforced_by"]!.GetValue<string>());
        }

        Assert.False(string.IsNullOrWhiteSpace(status["cgroup"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_memory_hog_fails_to_allocate_and_the_sandbox_keeps_working()
    {
        var id = await _daemon.CreateSandboxAsync();
        var hog = await _daemon.RunAsync(id, new { language = "python", code = "x = bytearray(1024 * 1024 * 1024)" });
        var after = await _daemon.RunAsync(id, new { language = "python", code = "print(len(bytearray(16 * 1024 * 1024)))" });

        Assert.NotEqual(0, hog["exit_code"]!.GetValue<int>());
        Assert.Contains("MemoryError", hog["stderr"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("16777216\n", after["stdout"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_fork_bomb_stops_at_the_process_limit_while_another_sandbox_runs()
    {
        var bombed = await _daemon.CreateSandboxAsync();
        var other = await _daemon.CreateSandboxAsync();
        const string bomb = "import os, time\nn = 0\ntry:\n    while n < 5000:\n        if os.fork() == 0:\n            time.sleep(30); os._exit(0)\n        n += 1\nexcept OSError:\n    pass\nprint(n, flush=True)";
        var bombRun = _daemon.RunAsync(bombed, new { language = "python", code = bomb, timeout = 20 });
        var normal = await _daemon.RunAsync(other, new { code = "for i in 1 2 3 4 5 6 7 8; do sh -c 'echo $$' & done; wait; echo done" });
        var bombResult = await bombRun;

        Assert.InRange(int.Parse(bombResult["stdout"]!.GetValue<string>().Trim(), System.Globalization.CultureInfo.InvariantCulture), 1, 63);
        Assert.Equal(0, normal["exit_code"]!.GetValue<int>());
        Assert.EndsWith("done\n", normal["stdout"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_that_would_fill_the_workspace_is_refused_with_workspace_full()
    {
        var id = await _daemon.CreateSandboxAsync();
        var small = await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files", new { path = "small.txt", content = "fits" });
        var big = await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files", new { path = "big.txt", content = new string('a', (int)(9 * MiB)) });

        await RelayDaemon.ReadJsonAsync(small, 200);
        Assert.Equal("workspace_full", await RelayDaemon.ReadErrorAsync(big, 413));
        Assert.False(File.Exists(Path.Combine(_daemon.WorkspaceOf(id), "big.txt")));
    }

    [Fact]
    public async Task A_run_that_fills_the_workspace_is_stopped_and_says_why()
    {
        var id = await _daemon.CreateSandboxAsync();
        var result = await _daemon.RunAsync(id, new { code = "head -c 20000000 /dev/zero > filler; echo written; sleep 60", timeout = 50 });
        var after = await _daemon.RunAsync(id, new { code = "rm filler; echo room" });

        Assert.Equal(137, result["exit_code"]!.GetValue<int>());
        Assert.False(result["timed_out"]!.GetValue<bool>());
        Assert.Equal("written\n", result["stdout"]!.GetValue<string>());
        Assert.Contains("(workspace_full)", result["stderr"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("room\n", after["stdout"]!.GetValue<string>());
    }

    [Fact]
    public async Task Set_id_bits_are_stripped_from_what_a_run_leaves()
    {
        var id = await _daemon.CreateSandboxAsync();
        await _daemon.RunAsync(id, new { code = "cp /bin/true suid; chmod 6755 suid; mkdir -p d; cp /bin/true d/sgid; chmod 2755 d/sgid" });

        foreach (var file in new[] { "suid", "d/sgid" })
        {
            var mode = File.GetUnixFileMode(Path.Combine(_daemon.WorkspaceOf(id), file));
            Assert.Equal((UnixFileMode)0, mode & (UnixFileMode.SetUser | UnixFileMode.SetGroup));
            Assert.True(mode.HasFlag(UnixFileMode.UserExecute));
        }
    }
}
