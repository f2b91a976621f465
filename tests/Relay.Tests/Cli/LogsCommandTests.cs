using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Cli;

/// <summary>Issue 12, item 6: <c>cerver-relay logs [-f] [-n N]</c>, run as the real binary.</summary>
public sealed class LogsCommandTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Prints_the_last_lines_across_log_files_oldest_first()
    {
        using var home = new TempDirectory("cerver-home");
        var logs = LogsOf(home.Path);
        File.WriteAllText(Path.Combine(logs, "relay-20260101.log"), "old 1\nold 2\nold 3\n");
        File.WriteAllText(Path.Combine(logs, "relay-20260102.log"), "day2 1\nday2 2\n");
        File.WriteAllText(Path.Combine(logs, "relay-20260102_001.log"), "rolled 1\n");

        var three = await RelayProcess.RunCliAsync(home.Path, ["logs", "-n", "3"]);
        var five = await RelayProcess.RunCliAsync(home.Path, ["logs", "--lines", "5"]);

        Assert.True(three.ExitCode == 0, three.Stderr);
        Assert.Equal("day2 1\nday2 2\nrolled 1\n", three.Stdout);
        Assert.Equal("old 2\nold 3\nday2 1\nday2 2\nrolled 1\n", five.Stdout);
        Assert.DoesNotContain('\u001b', three.Stdout);
    }

    [Fact]
    public async Task Without_log_files_it_says_where_it_looked_and_fails()
    {
        using var home = new TempDirectory("cerver-home");

        var result = await RelayProcess.RunCliAsync(home.Path, ["logs"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains($"no log files in {Path.Combine(home.Path, "relay", "logs")} yet", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_negative_line_count_is_a_usage_error_that_names_the_option()
    {
        using var home = new TempDirectory("cerver-home");

        var result = await RelayProcess.RunCliAsync(home.Path, ["logs", "-n", "-2"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--lines (-n) must be a whole number of 0 or more", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Follow_prints_appended_lines_follows_a_roll_and_ends_cleanly_on_ctrl_c()
    {
        using var home = new TempDirectory("cerver-home");
        var logs = LogsOf(home.Path);
        var first = Path.Combine(logs, "relay-20260101.log");
        File.WriteAllText(first, "before 1\nbefore 2\n");
        using var follow = RelayProcess.StartCli(home.Path, ["logs", "-f", "-n", "1"]);

        await follow.WaitForLineAsync("before 2", Patience);
        File.AppendAllText(first, "appended 1\n");
        await follow.WaitForLineAsync("appended 1", Patience);
        // A line written in two pieces comes out whole, once.
        File.AppendAllText(first, "half ");
        File.AppendAllText(first, "and half\n");
        await follow.WaitForLineAsync("half and half", Patience);
        // The size roll: the sink finishes the old file and goes on in the next one.
        File.AppendAllText(first, "last of the old file\n");
        File.WriteAllText(Path.Combine(logs, "relay-20260101_001.log"), "first of the new file\n");
        await follow.WaitForLineAsync("first of the new file", Patience);
        File.AppendAllText(Path.Combine(logs, "relay-20260101_001.log"), "second of the new file\n");
        await follow.WaitForLineAsync("second of the new file", Patience);

        var exit = await follow.InterruptAsync(Patience);

        Assert.Equal(0, exit);
        Assert.Equal("", follow.Stderr);
        Assert.Equal(
            ["before 2", "appended 1", "half and half", "last of the old file", "first of the new file", "second of the new file"],
            follow.Lines);
    }

    [Fact]
    public async Task The_daemon_logs_runs_and_refusals_with_ids_and_never_the_code_or_the_token()
    {
        using var home = new TempDirectory("cerver-home");
        using var relay = await RelayProcess.StartAsync(home.Path);
        var env = new Dictionary<string, string> { ["CERVER_RELAY_PORT"] = relay.Port.ToString(CultureInfo.InvariantCulture) };
        var token = File.ReadAllText(Path.Combine(home.Path, "relay", "local.token")).Trim();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{relay.Port}"), Timeout = Patience };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var sandbox = (await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync("/sandbox", new { }, TestContext.Current.CancellationToken), 201))["sandbox_id"]!.GetValue<string>();
        await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync($"/sandbox/{sandbox}/run", new { code = "echo the-code-itself-7f3a" }, TestContext.Current.CancellationToken), 200);
        using var anonymous = new HttpClient { BaseAddress = client.BaseAddress, Timeout = Patience };
        Assert.Equal("unauthorized", await RelayDaemon.ReadErrorAsync(await anonymous.GetAsync($"/sandbox/{sandbox}", TestContext.Current.CancellationToken), 401));

        var result = await RelayProcess.RunCliAsync(home.Path, ["logs", "-n", "1000"], env);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"Created sandbox {sandbox}", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Sandbox {sandbox}: run started", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Sandbox {sandbox}: run ended with exit code 0", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Refused GET /sandbox/{sandbox}: 401 unauthorized", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("the-code-itself-7f3a", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(token, result.Stdout, StringComparison.Ordinal);
        // Loopback is the default: no warning about the network.
        Assert.DoesNotContain("not loopback", result.Stdout, StringComparison.Ordinal);
    }

    private static string LogsOf(string home)
    {
        var logs = Path.Combine(home, "relay", "logs");
        Directory.CreateDirectory(logs);
        return logs;
    }
}
