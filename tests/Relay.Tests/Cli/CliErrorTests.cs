using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Cli;

/// <summary>Start-up and CLI failures as a user meets them: the real binary, one sentence on stderr, a distinct exit code, no stack trace.</summary>
public sealed class CliErrorTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("99999")]
    public async Task A_bad_port_names_the_option_and_the_values_it_takes(string value)
    {
        using var home = new TempDirectory("cerver-home");

        var run = await RelayProcess.RunCliAsync(home.Path, ["run", "--port", value]);

        Assert.Equal(2, run.ExitCode);
        var line = OneSentence(run);
        Assert.Contains("--port must be a port number from 0 to 65535", line, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(home.Path, "relay")), "a refused command line must not touch CERVER_HOME");
    }

    [Fact]
    public async Task A_number_option_of_another_verb_names_the_kind_of_value_not_a_clr_type()
    {
        using var home = new TempDirectory("cerver-home");

        var sessions = await RelayProcess.RunCliAsync(home.Path, ["sessions", "list", "--limit", "many"]);

        Assert.Equal(2, sessions.ExitCode);
        var line = OneSentence(sessions);
        Assert.Contains("--limit must be a whole number, not 'many'", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Nullable", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_used_by_another_program_is_one_sentence_and_nothing_in_the_home_is_started()
    {
        using var home = new TempDirectory("cerver-home");
        using var other = new TcpListener(IPAddress.Loopback, 0);
        other.Start();
        var port = ((IPEndPoint)other.LocalEndpoint).Port;

        var run = await RelayProcess.RunCliAsync(home.Path, ["run", "--port", port.ToString(CultureInfo.InvariantCulture)]);

        Assert.Equal(6, run.ExitCode);
        var line = OneSentence(run);
        Assert.Contains($"port {port} on 127.0.0.1 is already used by another program", line, StringComparison.Ordinal);
        Assert.Contains("--port", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(home.Path, "relay", "logs")), "the daemon must not have started far enough to log");
    }

    [Fact]
    public async Task A_port_held_by_the_daemon_of_another_home_adds_nothing_to_that_daemons_log()
    {
        using var first = new TempDirectory("cerver-home");
        using var second = new TempDirectory("cerver-home");
        using var relay = await RelayProcess.StartAsync(first.Path);
        var logs = Path.Combine(first.Path, "relay", "logs");
        var before = string.Concat(Directory.EnumerateFiles(logs).Select(File.ReadAllText));

        var run = await RelayProcess.RunCliAsync(second.Path, ["run", "--port", relay.Port.ToString(CultureInfo.InvariantCulture)]);

        Assert.Equal(6, run.ExitCode);
        Assert.Contains("already used by another program", OneSentence(run), StringComparison.Ordinal);
        var after = string.Concat(Directory.EnumerateFiles(logs).Select(File.ReadAllText));
        Assert.DoesNotContain("Exception", after[before.Length..], StringComparison.Ordinal);
        Assert.DoesNotContain("address already in use", after, StringComparison.OrdinalIgnoreCase);
        Assert.False(relay.HasExited);
    }

    [Fact]
    public async Task Bubblewrap_asked_for_but_not_installed_is_one_sentence_with_the_fix_and_exit_7()
    {
        using var home = new TempDirectory("cerver-home");
        using var emptyPath = new TempDirectory("no-bwrap");

        var run = await RelayProcess.RunCliAsync(home.Path, ["run", "--port", "0"], new Dictionary<string, string>
        {
            ["CERVER_ISOLATION"] = "bubblewrap",
            ["PATH"] = emptyPath.Path,
        });

        Assert.Equal(7, run.ExitCode);
        var line = OneSentence(run);
        Assert.Contains("CERVER_ISOLATION=bubblewrap, but bubblewrap does not work here: bwrap is not installed", line, StringComparison.Ordinal);
        Assert.Contains("apt-get install bubblewrap", line, StringComparison.Ordinal);
        Assert.Contains("CERVER_ISOLATION=auto", line, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task A_config_file_that_cannot_be_used_is_exit_4_for_the_daemon_and_for_every_verb()
    {
        using var home = new TempDirectory("cerver-home");
        Directory.CreateDirectory(Path.Combine(home.Path, "relay"));
        var config = Path.Combine(home.Path, "relay", "config.json");
        await File.WriteAllTextAsync(config, "{ \"CERVER_RELAY_PORT\": ", TestContext.Current.CancellationToken);

        foreach (var verb in new[] { new[] { "run" }, ["status"], ["doctor"], ["update", "--check"] })
        {
            var result = await RelayProcess.RunCliAsync(home.Path, verb);
            Assert.True(result.ExitCode == 4, $"{string.Join(' ', verb)} exited {result.ExitCode}: {result.Stderr}");
            Assert.Contains($"{config} is not valid JSON", OneSentence(result), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_config_file_the_relay_may_not_read_says_how_to_fix_it()
    {
        Assert.SkipWhen(Environment.IsPrivilegedProcess, "root reads a file whatever its mode");
        using var home = new TempDirectory("cerver-home");
        Directory.CreateDirectory(Path.Combine(home.Path, "relay"));
        var config = Path.Combine(home.Path, "relay", "config.json");
        await File.WriteAllTextAsync(config, "{}", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(config, UnixFileMode.None);

        var run = await RelayProcess.RunCliAsync(home.Path, ["run"]);

        Assert.Equal(4, run.ExitCode);
        Assert.Contains($"cannot read {config}", OneSentence(run), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cli_asking_a_daemon_that_does_not_answer_names_where_it_asked()
    {
        using var home = new TempDirectory("cerver-home");
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;

        var devices = await RelayProcess.RunCliAsync(home.Path, ["devices", "list"], new Dictionary<string, string> { ["CERVER_RELAY_PORT"] = port.ToString(CultureInfo.InvariantCulture) });

        Assert.Equal(8, devices.ExitCode);
        var line = OneSentence(devices);
        Assert.Contains($"the relay on http://127.0.0.1:{port} did not answer within", line, StringComparison.Ordinal);
    }

    /// <summary>stderr is exactly one line, with no trace of a stack.</summary>
    private static string OneSentence(ChildProcess.Result result)
    {
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("cerver-relay: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Output, StringComparison.Ordinal);
        return line;
    }
}
