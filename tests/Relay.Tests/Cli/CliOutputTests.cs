using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Cli;

/// <summary>Issue 12, item 5: output people and scripts like, run as the real binary.</summary>
public sealed class CliOutputTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Version_and_dash_dash_version_print_the_same_one_line()
    {
        using var home = new TempDirectory("cerver-home");

        var verb = await RelayProcess.RunCliAsync(home.Path, ["version"]);
        var option = await RelayProcess.RunCliAsync(home.Path, ["--version"]);

        Assert.Equal(0, verb.ExitCode);
        Assert.Equal(0, option.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?\n$", verb.Stdout);
        Assert.Equal(verb.Stdout, option.Stdout);
    }

    [Theory]
    [InlineData(new[] { "--help" }, "cerver-relay logs -f")]
    [InlineData(new[] { "status", "--help" }, "cerver-relay status --json | jq .gateway")]
    [InlineData(new[] { "sessions", "list", "--help" }, "cerver-relay sessions list --status running")]
    [InlineData(new[] { "devices", "approve", "--help" }, "cerver-relay devices approve BCDF-GHJK")]
    [InlineData(new[] { "logs", "--help" }, "cerver-relay logs -n 200")]
    public async Task Help_ends_with_examples_of_the_verb(string[] arguments, string example)
    {
        using var home = new TempDirectory("cerver-home");

        var help = await RelayProcess.RunCliAsync(home.Path, arguments);

        Assert.Equal(0, help.ExitCode);
        var examples = help.Stdout.IndexOf("\nExamples:\n", StringComparison.Ordinal);
        Assert.True(examples > 0, help.Stdout);
        Assert.Contains($"  {example}", help.Stdout[examples..], StringComparison.Ordinal);
        Assert.Contains("Usage:", help.Stdout[..examples], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bash_completion_script_completes_verbs_and_subcommands_through_the_binary()
    {
        using var home = new TempDirectory("cerver-home");
        using var bin = new TempDirectory("cerver-bin");
        var wrapper = Path.Combine(bin.Path, "cerver-relay");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet '{RelayProcess.RelayDll}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var script = """
            source <(cerver-relay completion bash)
            complete -p cerver-relay
            COMP_LINE='cerver-relay lo'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(cerver-relay lo); COMP_CWORD=1
            _cerver_relay_complete; echo "verbs: ${COMPREPLY[*]}"
            COMP_LINE='cerver-relay devices ap'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(cerver-relay devices ap); COMP_CWORD=2
            _cerver_relay_complete; echo "devices: ${COMPREPLY[*]}"
            """;

        var result = await RunAsync("bash", ["-c", script], new Dictionary<string, string> { ["PATH"] = $"{bin.Path}:{Environment.GetEnvironmentVariable("PATH")}", ["CERVER_HOME"] = home.Path });

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("complete -o default -F _cerver_relay_complete cerver-relay", result.Stdout, StringComparison.Ordinal);
        var verbs = result.Stdout.Split('\n').Single(line => line.StartsWith("verbs: ", StringComparison.Ordinal))["verbs: ".Length..].Split(' ');
        Assert.Equal(["login", "logout", "logs"], verbs.Order(StringComparer.Ordinal));
        Assert.Contains("devices: approve", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zsh", "#compdef cerver-relay")]
    [InlineData("fish", "complete -c cerver-relay -f -a '(__cerver_relay_complete)'")]
    public async Task Zsh_and_fish_scripts_ask_the_binary_for_suggestions(string shell, string line)
    {
        using var home = new TempDirectory("cerver-home");

        var result = await RelayProcess.RunCliAsync(home.Path, ["completion", shell]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(line, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("[suggest:", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completion_for_an_unknown_shell_names_the_ones_it_knows()
    {
        using var home = new TempDirectory("cerver-home");

        var result = await RelayProcess.RunCliAsync(home.Path, ["completion", "powershell"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("'bash'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("'fish'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Colour_only_on_a_terminal_and_never_with_NO_COLOR()
    {
        if (!File.Exists("/usr/bin/script"))
        {
            Assert.Skip("util-linux 'script' (a pseudo-terminal) is not installed");
        }

        using var home = new TempDirectory("cerver-home");
        var port = RelayProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        var command = $"dotnet '{RelayProcess.RelayDll}' status";
        var environment = new Dictionary<string, string> { ["CERVER_HOME"] = home.Path, ["CERVER_RELAY_PORT"] = port, ["TERM"] = "xterm" };

        var terminal = await RunAsync("script", ["-qefc", command, "/dev/null"], environment);
        var noColour = await RunAsync("script", ["-qefc", command, "/dev/null"], new Dictionary<string, string>(environment) { ["NO_COLOR"] = "1" });
        var piped = await RelayProcess.RunCliAsync(home.Path, ["status"], new Dictionary<string, string> { ["CERVER_RELAY_PORT"] = port, ["TERM"] = "xterm" });

        Assert.Contains("\u001b[31mnot running\u001b[0m", terminal.Stdout, StringComparison.Ordinal);
        Assert.Contains("not running", noColour.Stdout, StringComparison.Ordinal);
        // (A terminal also gets the keypad-mode sequence .NET sends to every terminal; no colour though.)
        Assert.DoesNotContain("\u001b[31m", noColour.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[0m", noColour.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, piped.ExitCode);
        Assert.Contains("cerver-relay is not running", piped.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", piped.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sessions_and_devices_list_print_json_for_scripts()
    {
        using var home = new TempDirectory("cerver-home");
        using var relay = await RelayProcess.StartAsync(home.Path);
        var env = new Dictionary<string, string> { ["CERVER_RELAY_PORT"] = relay.Port.ToString(CultureInfo.InvariantCulture) };

        var sessions = await RelayProcess.RunCliAsync(home.Path, ["sessions", "--json"], env);
        var sessionsHuman = await RelayProcess.RunCliAsync(home.Path, ["sessions"], env);
        var devices = await RelayProcess.RunCliAsync(home.Path, ["devices", "list", "--json"], env);
        var devicesAlone = await RelayProcess.RunCliAsync(home.Path, ["devices", "--json"], env);
        var devicesHuman = await RelayProcess.RunCliAsync(home.Path, ["devices"], env);

        Assert.True(sessions.ExitCode == 0, sessions.Stderr);
        Assert.Empty(JsonNode.Parse(sessions.Stdout)!["sessions"]!.AsArray());
        Assert.Equal("No sessions yet. Create one with POST /gateway/sessions.\n", sessionsHuman.Stdout);
        Assert.True(devices.ExitCode == 0, devices.Stderr);
        var list = JsonNode.Parse(devices.Stdout)!;
        Assert.Empty(list["pending"]!.AsArray());
        Assert.Empty(list["keys"]!.AsArray());
        // 'devices' alone is 'devices list'.
        Assert.True(devicesAlone.ExitCode == 0, devicesAlone.Stderr);
        Assert.True(JsonNode.DeepEquals(list, JsonNode.Parse(devicesAlone.Stdout)), devicesAlone.Stdout);
        Assert.True(devicesHuman.ExitCode == 0, devicesHuman.Stderr);
        Assert.StartsWith("No login is waiting for approval.\n", devicesHuman.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_warns_on_stderr_and_in_the_log_when_it_listens_beyond_loopback()
    {
        using var home = new TempDirectory("cerver-home");
        var port = RelayProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        using var daemon = RelayProcess.StartCli(home.Path, ["run", "--port", port, "--listen", "0.0.0.0", "--offline"], new Dictionary<string, string> { ["CERVER_ISOLATION"] = "none" });

        await daemon.WaitForStderrAsync("not loopback", Patience);

        Assert.Contains($"Listening on 0.0.0.0:{port}, not loopback", daemon.Stderr, StringComparison.Ordinal);
        var log = await RelayProcess.RunCliAsync(home.Path, ["logs", "-n", "200"]);
        Assert.Contains($"Listening on 0.0.0.0:{port}, not loopback", log.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, await daemon.InterruptAsync(Patience));
    }

    private static async Task<ChildProcess.Result> RunAsync(string program, IEnumerable<string> arguments, IDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove("NO_COLOR");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return await ChildProcess.RunAsync(info, Patience);
    }
}
