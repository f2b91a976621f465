using System.Text.Json.Nodes;
using Cerver.Relay.Service;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Service;

/// <summary>
/// The real binary's <c>service</c> verbs and <c>doctor</c> where no service manager can run the
/// relay (see <see cref="NoServiceManager"/>): one message, with the exact command that keeps the
/// relay running, and never advice to run another service verb that cannot work either.
/// </summary>
public sealed class ServiceCliTests : IDisposable
{
    private readonly TempDirectory _root = new("cerver-service");

    private string Home => Path.Combine(_root.Path, "home");

    private string CerverHome => Path.Combine(Home, ".cerver");

    private string Unit => Path.Combine(_root.Path, "xdg", "systemd", "user", SystemdUnit.FileName);

    private Dictionary<string, string> Environment => NoServiceManager.Environment(_root.Path, Home);

    public ServiceCliTests()
    {
        Directory.CreateDirectory(Home);
        ReleaseKit.InstallScript(CerverHome, "1.0.0");
    }

    private Task<ChildProcess.Result> RunAsync(params string[] arguments) => RelayProcess.RunCliAsync(CerverHome, arguments, Environment);

    [Fact]
    public async Task Install_start_and_restart_say_what_is_missing_and_give_the_real_background_command()
    {
        var expected = $"nohup {CerverHome}/bin/cerver-relay run </dev/null >>{CerverHome}/relay/logs/nohup.out.log 2>&1 &";
        foreach (var verb in new[] { "install", "start", "restart" })
        {
            var run = await RunAsync("service", verb);

            Assert.Equal(1, run.ExitCode);
            NoServiceManager.AssertMissing(run.Stderr);
            Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("service start", run.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("service install", run.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("$USER", run.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
        }

        // Nothing could run it, so nothing was written; the command's log folder is ready for it.
        Assert.False(File.Exists(Unit));
        Assert.True(Directory.Exists(Path.Combine(CerverHome, "relay", "logs")));
    }

    [Fact]
    public async Task Stop_says_there_is_no_service_to_stop_and_uninstall_of_nothing_succeeds()
    {
        var stop = await RunAsync("service", "stop");
        var uninstall = await RunAsync("service", "uninstall");

        Assert.Equal(1, stop.ExitCode);
        Assert.Contains("no service manager runs the relay here", stop.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("service start", stop.Output, StringComparison.Ordinal);
        Assert.Equal(0, uninstall.ExitCode);
        Assert.Contains("nothing to remove", uninstall.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_exits_3_and_its_json_names_the_state_and_the_fallback()
    {
        var text = await RunAsync("service", "status");
        var json = await RunAsync("service", "status", "--json");

        Assert.Equal(3, text.ExitCode);
        NoServiceManager.AssertMissing(text.Stderr);
        Assert.Equal(3, json.ExitCode);
        var status = JsonNode.Parse(json.Stdout)!.AsObject();
        Assert.Equal("systemd", status["manager"]!.GetValue<string>());
        Assert.Equal("user", status["scope"]!.GetValue<string>());
        Assert.Equal("no_manager", status["state"]!.GetValue<string>());
        Assert.False(status["running"]!.GetValue<bool>());
        Assert.False(status["installed"]!.GetValue<bool>());
        Assert.Equal(Unit, status["definition_path"]!.GetValue<string>());
        Assert.Contains($"{CerverHome}/bin/cerver-relay run", status["fallback_command"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(status["manager_missing"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_unit_left_where_nothing_can_run_it_makes_doctor_not_ready_and_uninstall_removes_it()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Unit)!);
        await File.WriteAllTextAsync(Unit, SystemdUnit.Render(ServiceDefinition.For(new Cerver.Relay.Configuration.RelayPaths(CerverHome))), TestContext.Current.CancellationToken);
        var port = new Dictionary<string, string>(Environment) { ["CERVER_RELAY_PORT"] = RelayProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture) };

        var json = await RelayProcess.RunCliAsync(CerverHome, ["doctor", "--json"], port);
        var text = await RelayProcess.RunCliAsync(CerverHome, ["doctor"], port);

        Assert.Equal(1, json.ExitCode);
        var doctor = JsonNode.Parse(json.Stdout)!.AsObject();
        Assert.False(doctor["ready"]!.GetValue<bool>());
        Assert.True(doctor["problems"]!.GetValue<int>() >= 1);
        var checks = doctor["checks"]!.AsArray().Select(check => check!.AsObject()).ToDictionary(check => check["name"]!.GetValue<string>());
        Assert.Equal("warn", checks["service manager"]["verdict"]!.GetValue<string>());
        Assert.Contains("nohup", checks["service manager"]["fix"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("fail", checks["service"]["verdict"]!.GetValue<string>());
        Assert.Equal(["name", "verdict", "detail", "fix"], checks["port"].Select(pair => pair.Key));
        Assert.Equal(1, text.ExitCode);
        Assert.Contains("FAIL  service ", text.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Verdict: ready", text.Stdout, StringComparison.Ordinal);

        var uninstall = await RunAsync("service", "uninstall");

        Assert.Equal(0, uninstall.ExitCode);
        Assert.Contains($"Removed {Unit} (no service manager ran it here)", uninstall.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Unit));
    }

    [Fact]
    public async Task The_system_service_is_reported_for_the_invoking_user_and_installed_only_as_root()
    {
        // Read-only whoever runs it: an install as root on a machine with systemd would be real.
        var json = await RunAsync("service", "status", "--system", "--json");

        var status = JsonNode.Parse(json.Stdout)!.AsObject();
        Assert.Equal("system", status["scope"]!.GetValue<string>());
        Assert.Equal("/etc/systemd/system/cerver-relay.service", status["definition_path"]!.GetValue<string>());
        Assert.Equal(System.Environment.UserName, status["user"]!.GetValue<string>());
        Assert.Equal(status["running"]!.GetValue<bool>() ? 0 : 3, json.ExitCode);
        Assert.Null(status["linger"]);

        if (!System.Environment.IsPrivilegedProcess)
        {
            var install = await RunAsync("service", "install", "--system");
            Assert.Equal(1, install.ExitCode);
            Assert.Contains($"run 'sudo {CerverHome}/bin/cerver-relay service install --system'", install.Stderr, StringComparison.Ordinal);
        }
        else if (!Directory.Exists("/run/systemd/system"))
        {
            var install = await RunAsync("service", "install", "--system");
            Assert.Equal(1, install.ExitCode);
            Assert.Contains("systemd is not running on this machine", install.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists("/etc/systemd/system/cerver-relay.service.tmp"));
        }
    }

    public void Dispose() => _root.Dispose();
}
