using Cerver.Relay.Sandbox.Tests.Infrastructure;

namespace Cerver.Relay.Sandbox.Tests;

/// <summary>Nothing a run starts outlives it, its timeout or its sandbox, however it detaches.</summary>
[Collection(HostileGroup.Name)]
public sealed class ProcessAttempts(HostileDaemon hostile)
{
    [Theory]
    [InlineData("sleep 300 &", "a background job")]
    [InlineData("setsid sleep 300 &", "a new session")]
    [InlineData("nohup sleep 300 >/dev/null 2>&1 &", "nohup")]
    [InlineData("(setsid sh -c 'sleep 300 & exit' &)", "a double fork")]
    public async Task A_detached_process_does_not_outlive_its_run(string command, string how)
    {
        var marker = $"cerver-marker-{Guid.NewGuid():N}"[..30];
        var id = await hostile.CreateAsync();
        await hostile.RunAsync(id, $"export {marker.Replace('-', '_')}=1; {command} echo started");
        var left = await SettledAsync(marker.Replace('-', '_'));
        Assert.True(left.Count == 0, $"{how} left processes {string.Join(", ", left)} running after the run");
    }

    [Fact]
    public async Task A_timed_out_run_leaves_nothing_behind()
    {
        var marker = $"cerver_marker_{Guid.NewGuid():N}"[..30];
        var id = await hostile.CreateAsync();
        var output = await hostile.RunAsync(id, $"export {marker}=1; for i in 1 2 3 4 5 6 7 8; do sleep 300 & done; sleep 300", timeout: 1);
        Assert.True(output.Raw["timed_out"]!.GetValue<bool>());
        Assert.Empty(await SettledAsync(marker));
    }

    [Fact]
    public async Task Signals_cannot_reach_the_daemon()
    {
        var output = await hostile.AttemptAsync($"kill -STOP {Environment.ProcessId} 2>&1 && echo ESCAPED; kill -9 -1 2>&1; echo after");
        Assert.DoesNotContain("ESCAPED", output.Stdout, StringComparison.Ordinal);
        using var response = await hostile.Daemon.Client.GetAsync("/healthz");
        Assert.True(response.IsSuccessStatusCode);
    }

    /// <summary>The marked processes once the kernel has had a moment to reap a dying namespace (at most 10 s).</summary>
    private static async Task<List<int>> SettledAsync(string variable)
    {
        var found = ProcessesWithVariable(variable);
        for (var attempt = 0; attempt < 100 && found.Count > 0; attempt++)
        {
            await Task.Delay(100);
            found = ProcessesWithVariable(variable);
        }

        return found;
    }

    /// <summary>Host processes whose environment names the marker the attempt exported.</summary>
    private static List<int> ProcessesWithVariable(string variable)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var environ = File.ReadAllText(Path.Combine(directory, "environ"));
                if (environ.Contains(variable + "=", StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Gone, or another user's: not ours.
            }
        }

        return found;
    }
}
