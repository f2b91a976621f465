using System.Net.Http.Json;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Daemon;

/// <summary>
/// What a sandboxed process can and cannot see. These run under bubblewrap, which CI
/// installs; without it they fail rather than pass on a weaker backend.
/// </summary>
public sealed class SandboxSecurityTests(SharedDaemon shared) : IClassFixture<SharedDaemon>
{
    private readonly RelayDaemon _daemon = shared.Daemon;

    [Fact]
    public async Task The_daemon_runs_sandboxes_under_bubblewrap_here()
    {
        var id = await _daemon.CreateSandboxAsync();
        var record = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync($"/sandbox/{id}"), 200);
        Assert.Equal("bubblewrap", record["isolation"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_account_key_and_the_relays_environment_never_reach_a_sandbox()
    {
        Environment.SetEnvironmentVariable("CERVER_TEST_LEAK_CANARY", "leaked-value-7f3a");
        try
        {
            var id = await _daemon.CreateSandboxAsync();
            var result = await _daemon.RunAsync(id, new { code = "env; cat /proc/self/environ | tr '\\0' '\\n'" });
            var stdout = result["stdout"]!.GetValue<string>();

            Assert.DoesNotContain(SharedDaemonKeys.AccountKey, stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(_daemon.Token, stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("leaked-value-7f3a", stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("CERVER_API_KEY", stdout, StringComparison.Ordinal);
            Assert.Contains($"HOME={_daemon.WorkspaceOf(id)}", stdout, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CERVER_TEST_LEAK_CANARY", null);
        }
    }

    [Fact]
    public async Task The_local_token_and_cerver_home_are_invisible_from_inside()
    {
        var id = await _daemon.CreateSandboxAsync();
        var tokenFile = _daemon.Settings.Paths.TokenFile;
        var result = await _daemon.RunAsync(id, new { code = $"cat '{tokenFile}'; ls -a '{_daemon.Settings.Paths.RelayDirectory}'; ls -a '{Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)}'" });

        Assert.DoesNotContain(_daemon.Token, result["stdout"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("No such file", result["stderr"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("relay.db", result["stdout"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_system_is_read_only_and_the_workspace_and_tmp_are_writable()
    {
        var id = await _daemon.CreateSandboxAsync();
        var result = await _daemon.RunAsync(id, new { code = "touch /usr/cerver-probe 2>&1 && echo wrote-usr; echo ok > /tmp/t && cat /tmp/t; echo ok > here.txt && cat here.txt" });
        var stdout = result["stdout"]!.GetValue<string>();

        Assert.DoesNotContain("wrote-usr", stdout, StringComparison.Ordinal);
        Assert.False(File.Exists("/usr/cerver-probe"));
        Assert.Equal("ok\nok\n", stdout[stdout.IndexOf("ok", StringComparison.Ordinal)..]);
        Assert.True(File.Exists(Path.Combine(_daemon.WorkspaceOf(id), "here.txt")));
    }

    [Fact]
    public async Task Sandboxes_have_their_own_pid_namespace_and_hostname()
    {
        var id = await _daemon.CreateSandboxAsync();
        var result = await _daemon.RunAsync(id, new { code = "hostname; ls /proc | grep -c '^[0-9]'" });
        var lines = result["stdout"]!.GetValue<string>().Split('\n');

        Assert.Equal("cerver-sandbox", lines[0]);
        Assert.InRange(int.Parse(lines[1], System.Globalization.CultureInfo.InvariantCulture), 1, 6);
    }

    [Fact]
    public async Task Network_is_off_unless_the_sandbox_asks_for_it()
    {
        var closed = await _daemon.CreateSandboxAsync();
        var open = await _daemon.CreateSandboxAsync(new { network = true });

        // /proc/net follows the process's network namespace (/sys would show the host's).
        const string interfaces = "awk -F: 'NR > 2 { gsub(/ /, \"\", $1); print $1 }' /proc/net/dev | sort";
        var closedInterfaces = (await _daemon.RunAsync(closed, new { code = interfaces }))["stdout"]!.GetValue<string>().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var openInterfaces = (await _daemon.RunAsync(open, new { code = interfaces }))["stdout"]!.GetValue<string>().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var hostInterfaces = File.ReadAllLines("/proc/net/dev").Skip(2).Select(line => line.Split(':')[0].Trim()).Order(StringComparer.Ordinal);

        Assert.Equal(["lo"], closedInterfaces);
        Assert.Equal(hostInterfaces, openInterfaces);
    }

    [Fact]
    public async Task A_daemon_log_never_holds_the_token_or_the_key()
    {
        var id = await _daemon.CreateSandboxAsync();
        await _daemon.RunAsync(id, new { code = "true" });
        using var unauthorized = _daemon.CreateClient("wrong");
        await unauthorized.GetAsync("/sandbox");

        var log = _daemon.ReadLog();
        Assert.Contains($"Sandbox {id}: run ended with exit code 0", log, StringComparison.Ordinal);
        Assert.DoesNotContain(_daemon.Token, log, StringComparison.Ordinal);
        Assert.DoesNotContain(SharedDaemonKeys.AccountKey, log, StringComparison.Ordinal);
    }
}
