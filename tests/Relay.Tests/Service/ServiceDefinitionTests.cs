using Cerver.Relay.Service;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Service;

public sealed class ServiceDefinitionTests
{
    private const string AwkwardHome = "/home/ann smith/100% \"cerver\" $HOME\\x";

    [Fact]
    public void The_systemd_unit_runs_the_bin_link_with_restart_and_quotes_awkward_paths()
    {
        var unit = SystemdUnit.Render(new ServiceDefinition($"{AwkwardHome}/bin/cerver-relay", AwkwardHome, $"{AwkwardHome}/relay/logs"));
        var lines = unit.Split('\n').Where(line => !line.StartsWith('#')).ToList();

        Assert.Contains("ExecStart=\"/home/ann smith/100%% \\\"cerver\\\" $$HOME\\\\x/bin/cerver-relay\" run", lines);
        Assert.Contains("Environment=\"CERVER_HOME=/home/ann smith/100%% \\\"cerver\\\" $HOME\\\\x\"", lines);
        Assert.Contains("Environment=CERVER_SERVICE=systemd", lines);
        Assert.Contains("Restart=always", lines);
        Assert.Contains("RestartSec=5", lines);
        Assert.Contains("StandardOutput=journal", lines);
        Assert.Contains("WantedBy=default.target", lines);
        Assert.DoesNotContain("{{", unit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Systemd_analyze_accepts_the_generated_unit_and_rejects_a_broken_one()
    {
        using var home = new TempDirectory("cerver home");
        var binary = GeneratedDefinitions.ExecutableBinary(home.Path);
        var unit = SystemdUnit.Render(new ServiceDefinition(binary, home.Path, Path.Combine(home.Path, "relay", "logs")));
        var good = Path.Combine(home.Path, "good", "cerver-relay.service");
        var broken = Path.Combine(home.Path, "broken", "cerver-relay.service");
        Directory.CreateDirectory(Path.GetDirectoryName(good)!);
        Directory.CreateDirectory(Path.GetDirectoryName(broken)!);
        await File.WriteAllTextAsync(good, unit);
        // An unquoted path with a space splits into a relative program name, which systemd refuses.
        await File.WriteAllTextAsync(broken, unit.Replace($"ExecStart=\"{binary}\"", $"ExecStart={binary}", StringComparison.Ordinal));

        var verified = await GeneratedDefinitions.VerifyAsync(home.Path, good, user: true);
        var refused = await GeneratedDefinitions.VerifyAsync(home.Path, broken, user: true);

        Assert.True(verified.ExitCode == 0, verified.Output);
        Assert.DoesNotContain("ignoring", verified.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Unknown", verified.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("is not executable", refused.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_launch_agent_is_a_plist_with_the_keys_launchd_needs_and_escaped_paths()
    {
        const string home = "/Users/ann & bob/<cerver>";
        var plist = LaunchdPlist.Render(new ServiceDefinition($"{home}/bin/cerver-relay", home, $"{home}/relay/logs"));

        var values = GeneratedDefinitions.PlistValues(plist);

        Assert.Equal("ai.cerver.relay", values["Label"].Value);
        Assert.Equal([$"{home}/bin/cerver-relay", "run"], values["ProgramArguments"].Elements("string").Select(element => element.Value));
        Assert.Equal("true", values["RunAtLoad"].Name.LocalName);
        Assert.Equal("true", values["KeepAlive"].Name.LocalName);
        Assert.Equal($"{home}/relay/logs/launchd.out.log", values["StandardOutPath"].Value);
        Assert.Equal($"{home}/relay/logs/launchd.err.log", values["StandardErrorPath"].Value);
        var environment = GeneratedDefinitions.Pairs(values["EnvironmentVariables"]);
        Assert.Equal(home, environment["CERVER_HOME"].Value);
        Assert.Equal("launchd", environment["CERVER_SERVICE"].Value);
        Assert.Contains("&amp; bob/&lt;cerver&gt;", plist, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_with_a_line_break_is_refused()
    {
        var error = Assert.Throws<ServiceException>(() => SystemdUnit.Render(new ServiceDefinition("/x\n[Service]\nExecStartPre=/bin/evil", "/x", "/x")));
        Assert.Contains("control character", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_refuses_when_the_relay_is_not_installed_under_cerver_home()
    {
        using var home = new TempDirectory("cerver-home");
        using var config = new TempDirectory("xdg-config");

        var install = await RelayProcess.RunCliAsync(home.Path, ["service", "install"], new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = config.Path });

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("does not exist", install.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(config.Path, "systemd")));
    }
}
