using Cerver.Relay.Sandbox.Tests.Infrastructure;

namespace Cerver.Relay.Sandbox.Tests;

/// <summary>
/// Exhaustion attempts against the small bounds the hostile daemon is given: each is stopped
/// with a clear failure inside its own sandbox, and the daemon keeps serving the others.
/// </summary>
[Collection(HostileGroup.Name)]
public sealed class ResourceAttempts(HostileDaemon hostile)
{
    [Fact]
    public async Task A_fork_bomb_stops_at_the_process_limit_and_the_daemon_serves_on()
    {
        var output = await hostile.AttemptAsync(
            "python3 -c \"import os, time\nn = 0\ntry:\n    while n < 5000:\n        if os.fork() == 0:\n            time.sleep(5); os._exit(0)\n        n += 1\nexcept OSError as e:\n    print('refused after', n, e.errno)\n\"");
        Assert.Contains("refused after", output.Stdout, StringComparison.Ordinal);
        var forked = int.Parse(output.Stdout.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(forked < HostileDaemon.Processes, $"{forked} processes forked under a limit of {HostileDaemon.Processes}");
        var other = await hostile.AttemptAsync("echo still-serving");
        Assert.Contains("still-serving", other.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_memory_hog_cannot_allocate_past_the_memory_limit()
    {
        var output = await hostile.AttemptAsync("python3 -c \"b = bytearray(2 * 1024 ** 3); print('ESCAPED', len(b))\" 2>&1; true");
        Assert.DoesNotContain("ESCAPED", output.Stdout, StringComparison.Ordinal);
        Assert.Contains("MemoryError", output.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_past_the_file_size_limit_cannot_be_written()
    {
        var output = await hostile.AttemptAsync($"head -c {(HostileDaemon.FileMegabytes + 4) * 1024 * 1024} /dev/zero > big 2>/dev/null; wc -c < big");
        Assert.True(long.Parse(output.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture) <= HostileDaemon.FileMegabytes * 1024L * 1024);
    }

    [Fact]
    public async Task The_private_tmp_cannot_eat_the_hosts_memory()
    {
        var output = await hostile.AttemptAsync($"for i in $(seq 1 {HostileDaemon.TmpMegabytes / 8 + 4}); do head -c 8388608 /dev/zero > /tmp/f$i 2>/dev/null || break; done; du -sm /tmp | cut -f1");
        Assert.True(int.Parse(output.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture) <= HostileDaemon.TmpMegabytes + 1, output.All); // du rounds each file up
    }

    [Fact]
    public async Task A_run_that_fills_the_workspace_is_stopped_and_says_why()
    {
        var output = await hostile.AttemptAsync($"for i in $(seq 1 {HostileDaemon.DiskMegabytes / 8 + 8}); do head -c 8388608 /dev/zero > f$i; sleep 0.5; done; echo ESCAPED");
        Assert.DoesNotContain("ESCAPED", output.Stdout, StringComparison.Ordinal);
        Assert.Contains("workspace_full", output.Stderr, StringComparison.Ordinal);
    }
}
