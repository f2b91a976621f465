using Cerver.Relay.Cli;
using Cerver.Relay.Service;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Service;

/// <summary>
/// What the generators produce for a system-level service (a systemd system unit, a macOS
/// LaunchDaemon) and for a machine without a service manager. Each platform's output is checked
/// here on any machine: the launchd paths cannot run on Linux CI, so their text is what is tested.
/// </summary>
public sealed class SystemServiceDefinitionTests
{
    private static readonly ServiceAccount Ann = new("ann", "/home/ann");

    private static ServiceDefinition Definition(string home, ServiceAccount? account = null) =>
        new($"{home}/bin/cerver-relay", home, $"{home}/relay/logs") { Account = account };

    [Fact]
    public void The_system_unit_runs_as_the_account_with_its_home_after_the_network_at_boot()
    {
        var unit = SystemdUnit.Render(Definition("/home/ann/.cerver", Ann));
        var lines = unit.Split('\n');

        Assert.Contains("User=ann", lines);
        Assert.Contains("Environment=\"HOME=/home/ann\"", lines);
        Assert.Contains("Environment=\"CERVER_HOME=/home/ann/.cerver\"", lines);
        Assert.Contains("ExecStart=\"/home/ann/.cerver/bin/cerver-relay\" run", lines);
        Assert.Contains("After=network-online.target", lines);
        Assert.Contains("Wants=network-online.target", lines);
        Assert.Contains("WantedBy=multi-user.target", lines);
        Assert.DoesNotContain("WantedBy=default.target", lines);
        Assert.Contains("Restart=always", lines);
        // The user unit's comments (journalctl --user, ~/.config) would be wrong here.
        Assert.DoesNotContain("--user", unit, StringComparison.Ordinal);
        Assert.Contains("journalctl -u cerver-relay", unit, StringComparison.Ordinal);
        // User= sits in [Service], where systemd reads it.
        Assert.True(Array.IndexOf(lines, "User=ann") > Array.IndexOf(lines, "[Service]"));
        Assert.True(Array.IndexOf(lines, "User=ann") < Array.IndexOf(lines, "[Install]"));
    }

    [Fact]
    public void The_user_unit_has_no_account_and_starts_with_the_user_manager()
    {
        var lines = SystemdUnit.Render(Definition("/home/ann/.cerver")).Split('\n');

        Assert.DoesNotContain(lines, line => line.StartsWith("User=", StringComparison.Ordinal));
        Assert.Contains("WantedBy=default.target", lines);
        Assert.DoesNotContain("After=network-online.target", lines);
    }

    [Fact]
    public async Task Systemd_analyze_accepts_the_generated_system_unit()
    {
        using var home = new TempDirectory("cerver home");
        var binary = GeneratedDefinitions.ExecutableBinary(home.Path);
        var unitPath = Path.Combine(home.Path, "system", SystemdUnit.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(unitPath)!);
        await File.WriteAllTextAsync(unitPath, SystemdUnit.Render(new ServiceDefinition(binary, home.Path, Path.Combine(home.Path, "relay", "logs")) { Account = new("root", "/root") }), TestContext.Current.CancellationToken);

        var verified = await GeneratedDefinitions.VerifyAsync(home.Path, unitPath, user: false);

        Assert.True(verified.ExitCode == 0, verified.Output);
        Assert.DoesNotContain("Unknown", verified.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("ignoring", verified.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_launch_daemon_runs_as_the_account_with_its_home_and_escaped_values()
    {
        const string home = "/Users/ann & bob/<cerver>";
        var plist = LaunchdPlist.Render(Definition(home, new ServiceAccount("ann", "/Users/ann & bob")));

        var values = GeneratedDefinitions.PlistValues(plist);

        Assert.Equal("ai.cerver.relay", values["Label"].Value);
        Assert.Equal("ann", values["UserName"].Value);
        Assert.Equal([$"{home}/bin/cerver-relay", "run"], values["ProgramArguments"].Elements("string").Select(element => element.Value));
        Assert.Equal("true", values["RunAtLoad"].Name.LocalName);
        Assert.Equal("true", values["KeepAlive"].Name.LocalName);
        var environment = GeneratedDefinitions.Pairs(values["EnvironmentVariables"]);
        Assert.Equal("/Users/ann & bob", environment["HOME"].Value);
        Assert.Equal(home, environment["CERVER_HOME"].Value);
        Assert.Equal("launchd", environment["CERVER_SERVICE"].Value);
        Assert.Contains("/Library/LaunchDaemons/", plist, StringComparison.Ordinal);
        Assert.DoesNotContain("LaunchAgents", plist, StringComparison.Ordinal);
        // An XML comment may not hold "--": a plist with one does not load.
        Assert.DoesNotContain("--", plist.Replace("<!--", "", StringComparison.Ordinal).Replace("-->", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void The_launch_agent_has_no_user_name()
    {
        var plist = LaunchdPlist.Render(Definition("/Users/ann/.cerver"));

        Assert.DoesNotContain("UserName", plist, StringComparison.Ordinal);
        Assert.DoesNotContain("<key>HOME</key>", plist, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ann smith")]
    [InlineData("ann\nUser=root")]
    [InlineData("")]
    [InlineData("a%n")]
    public void An_account_name_that_cannot_be_written_safely_is_refused(string name)
    {
        Assert.Throws<ServiceException>(() => SystemdUnit.Render(Definition("/home/ann/.cerver", new ServiceAccount(name, "/home/ann"))));
        Assert.Throws<ServiceException>(() => LaunchdPlist.Render(Definition("/home/ann/.cerver", new ServiceAccount(name, "/home/ann"))));
    }

    [Fact]
    public void The_fallback_command_has_the_real_paths_quoted_for_sh_and_no_variables()
    {
        var awkward = Definition("/home/o'brien/my cerver");
        var standard = Definition("/home/ann/.cerver") with { IsDefaultHome = true };

        Assert.Equal("CERVER_HOME='/home/o'\\''brien/my cerver' nohup '/home/o'\\''brien/my cerver/bin/cerver-relay' run </dev/null >>'/home/o'\\''brien/my cerver/relay/logs/nohup.out.log' 2>&1 &",
            ServiceFallback.Command(awkward));
        Assert.Equal("nohup /home/ann/.cerver/bin/cerver-relay run </dev/null >>/home/ann/.cerver/relay/logs/nohup.out.log 2>&1 &", ServiceFallback.Command(standard));

        var message = ServiceFallback.Message(standard, "systemd is not running on this machine");
        Assert.Contains("systemd is not running on this machine", message, StringComparison.Ordinal);
        Assert.Contains(ServiceFallback.Command(standard), message, StringComparison.Ordinal);
        Assert.DoesNotContain("$", message, StringComparison.Ordinal);
        Assert.DoesNotContain("service start", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_fallback_command_really_starts_the_relay_in_the_background_with_its_output_in_the_log()
    {
        using var home = new TempDirectory("cerver it's home");
        var binary = Path.Combine(home.Path, "bin", "cerver-relay");
        Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
        Directory.CreateDirectory(Path.Combine(home.Path, "relay", "logs"));
        await File.WriteAllTextAsync(binary, "#!/bin/sh\necho \"started $1 with $CERVER_HOME\"\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(binary, (UnixFileMode)0b111_101_101);
        var command = ServiceFallback.Command(Definition(home.Path));

        var run = await ChildProcess.RunAsync("sh", ["-c", command + " wait"], TimeSpan.FromSeconds(30));

        Assert.True(run.ExitCode == 0, run.Output);
        var log = await File.ReadAllTextAsync(Path.Combine(home.Path, "relay", "logs", ServiceFallback.LogFileName), TestContext.Current.CancellationToken);
        Assert.Equal($"started run with {home.Path}\n", log);
    }

    [Fact]
    public void Doctor_fails_a_service_nothing_can_run_and_only_warns_when_none_is_installed()
    {
        var missing = Status(ServiceState.NoManager) with { ManagerMissing = "systemd is not running on this machine", FallbackCommand = "nohup /x/bin/cerver-relay run >>/x/relay/logs/nohup.out.log 2>&1 &" };

        var installed = DoctorChecks.ServiceChecks(missing with { Installed = true });
        var notInstalled = DoctorChecks.ServiceChecks(missing);

        Assert.Equal(Verdict.Warn, installed.Single(check => check.Name == "service manager").Verdict);
        Assert.Contains("nohup /x/bin/cerver-relay run", installed.Single(check => check.Name == "service manager").Fix, StringComparison.Ordinal);
        Assert.Equal(Verdict.Fail, installed.Single(check => check.Name == "service").Verdict);
        Assert.Equal([Verdict.Warn], notInstalled.Select(check => check.Verdict));
    }

    [Fact]
    public void Doctor_checks_linger_and_fails_a_stopped_service_with_the_restart_command()
    {
        var checks = DoctorChecks.ServiceChecks(Status(ServiceState.Stopped) with { Installed = true, Linger = false, Detail = "cerver-relay.service is installed but not running (failed)" });

        Assert.Equal(Verdict.Ok, checks.Single(check => check.Name == "service manager").Verdict);
        var linger = checks.Single(check => check.Name == "linger");
        Assert.Equal(Verdict.Warn, linger.Verdict);
        Assert.Equal("sudo loginctl enable-linger ann", linger.Fix);
        var service = checks.Single(check => check.Name == "service");
        Assert.Equal(Verdict.Fail, service.Verdict);
        Assert.Equal("cerver-relay service restart", service.Fix);

        var running = DoctorChecks.ServiceChecks(Status(ServiceState.Running) with { Installed = true, Running = true, Linger = true, Scope = ServiceScope.User });
        Assert.All(running, check => Assert.Equal(Verdict.Ok, check.Verdict));
    }

    [Fact]
    public void Service_status_json_has_a_stable_snake_case_shape()
    {
        var json = ServiceCommand.ToJson(Status(ServiceState.NoManager) with { ManagerMissing = "none", FallbackCommand = "nohup x &" });

        Assert.Equal(
            ["manager", "scope", "state", "running", "installed", "definition_path", "user", "manager_missing", "linger", "fallback_command", "detail"],
            json.Select(pair => pair.Key));
        Assert.Equal("no_manager", json["state"]!.GetValue<string>());
        Assert.Equal("user", json["scope"]!.GetValue<string>());
        Assert.Null(json["linger"]);
    }

    private static ServiceStatus Status(ServiceState state) => new()
    {
        Manager = "systemd",
        Scope = ServiceScope.User,
        DefinitionPath = "/home/ann/.config/systemd/user/cerver-relay.service",
        Installed = false,
        User = "ann",
        State = state,
    };
}
