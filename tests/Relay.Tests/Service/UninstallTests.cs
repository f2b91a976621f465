using Cerver.Relay.Service;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Service;

/// <summary>
/// <c>cerver-relay uninstall</c> run as a real process on a throwaway install (HOME and
/// CERVER_HOME in temp folders, no service manager), and its plan's refusal to reach outside the
/// folders it owns.
/// </summary>
public sealed class UninstallTests
{
    [Fact]
    public async Task Keep_data_removes_the_service_binaries_and_native_library_and_keeps_the_data()
    {
        using var machine = new FakeInstall();

        var uninstall = await machine.RunAsync("uninstall", "--keep-data", "--yes");

        Assert.True(uninstall.ExitCode == 0, uninstall.Output);
        Assert.False(File.Exists(machine.Unit));
        Assert.False(File.Exists(machine.Link) || new FileInfo(machine.Link).LinkTarget is not null);
        Assert.False(Directory.Exists(Path.Combine(machine.CerverHome, "versions")));
        Assert.False(Directory.Exists(Path.Combine(machine.Home, ".net")));
        Assert.True(File.Exists(Path.Combine(machine.CerverHome, "relay", "relay.db")));
        Assert.True(File.Exists(Path.Combine(machine.CerverHome, "cerver.env")));
        Assert.Contains($"Kept the data in {machine.CerverHome}", uninstall.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Remove {machine.CerverHome}/bin from PATH: delete the line that adds it in {machine.Home}/.bashrc", uninstall.Stdout, StringComparison.Ordinal);
        // What is not the relay's stays: another app's extracted files, the shell profile.
        Assert.True(File.Exists(Path.Combine(machine.Home, ".bashrc")));
    }

    [Fact]
    public async Task A_full_uninstall_removes_cerver_home_and_leaves_what_is_not_the_relays()
    {
        using var machine = new FakeInstall();
        var otherApp = Path.Combine(machine.Home, ".net", "other-app", "lib.so");
        Directory.CreateDirectory(Path.GetDirectoryName(otherApp)!);
        await File.WriteAllTextAsync(otherApp, "x", TestContext.Current.CancellationToken);

        var uninstall = await machine.RunAsync("uninstall", "--yes");

        Assert.True(uninstall.ExitCode == 0, uninstall.Output);
        Assert.False(Directory.Exists(machine.CerverHome), uninstall.Output);
        Assert.False(File.Exists(machine.Unit));
        Assert.False(Directory.Exists(Path.Combine(machine.Home, ".net", "cerver-relay")));
        Assert.True(File.Exists(otherApp));
        Assert.True(File.Exists(Path.Combine(machine.Home, ".bashrc")));
        Assert.Contains($"Removed {machine.CerverHome}/relay", uninstall.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_relay_started_by_hand_is_stopped_before_its_files_go()
    {
        using var machine = new FakeInstall();
        // A real daemon needs a real database and no key for an unreachable gateway.
        File.Delete(Path.Combine(machine.CerverHome, "relay", "relay.db"));
        File.WriteAllText(Path.Combine(machine.CerverHome, "cerver.env"), "CERVER_PROFILE=work\n");
        using var relay = await RelayProcess.StartAsync(machine.CerverHome);

        var uninstall = await machine.RunAsync("uninstall", "--yes");

        Assert.True(uninstall.ExitCode == 0, uninstall.Output);
        Assert.Contains($"Stopped the relay that was still running (pid {relay.Pid}", uninstall.Stdout, StringComparison.Ordinal);
        // SIGTERM: the daemon drained and exited on its own, as under a service manager.
        Assert.Equal(0, await relay.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(Directory.Exists(machine.CerverHome), uninstall.Output);
    }

    [Fact]
    public async Task Without_a_terminal_it_asks_for_yes_and_removes_nothing()
    {
        using var machine = new FakeInstall();

        var uninstall = await machine.RunAsync("uninstall");

        Assert.Equal(2, uninstall.ExitCode);
        Assert.Contains("run again with --yes", uninstall.Stderr, StringComparison.Ordinal);
        Assert.Contains("Nothing was removed", uninstall.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(machine.Unit));
        Assert.NotNull(new FileInfo(machine.Link).LinkTarget);
        Assert.True(Directory.Exists(Path.Combine(machine.Home, ".net", "cerver-relay")));
    }

    [Fact]
    public async Task A_cerver_home_that_is_the_users_home_is_refused_and_nothing_is_removed()
    {
        using var machine = new FakeInstall();
        var sentinel = Path.Combine(machine.Home, "relay", "notes.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(sentinel)!);
        await File.WriteAllTextAsync(sentinel, "mine", TestContext.Current.CancellationToken);

        var uninstall = await machine.RunWithHomeAsync(machine.Home, "uninstall", "--yes");

        Assert.Equal(1, uninstall.ExitCode);
        Assert.Contains("refuses to remove anything there", uninstall.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(sentinel));
        Assert.True(Directory.Exists(Path.Combine(machine.Home, ".net", "cerver-relay")));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("")]
    [InlineData("relative/.cerver")]
    public void The_plan_refuses_a_root_empty_or_relative_cerver_home(string cerverHome)
    {
        Assert.Throws<ServiceException>(() => UninstallPlan.Make(cerverHome, "/home/ann", extractBase: null, keepData: false));
    }

    [Fact]
    public void The_plan_refuses_home_and_any_folder_above_it_and_names_only_entries_inside_its_owners()
    {
        Assert.Throws<ServiceException>(() => UninstallPlan.Make("/home/ann", "/home/ann", null, keepData: false));
        Assert.Throws<ServiceException>(() => UninstallPlan.Make("/home/ann/", "/home/ann", null, keepData: false));
        Assert.Throws<ServiceException>(() => UninstallPlan.Make("/home", "/home/ann", null, keepData: false));
        Assert.Throws<ServiceException>(() => UninstallPlan.Inside("/home/ann/.cerver", "../.ssh"));
        Assert.Throws<ServiceException>(() => UninstallPlan.Inside("/home/ann/.cerver", ""));
        Assert.Throws<ServiceException>(() => UninstallPlan.Inside("/home/ann/.cerver", "/etc"));

        var plan = UninstallPlan.Make("/home/ann/.cerver", "/home/ann", null, keepData: false);
        Assert.Equal(
            ["/home/ann/.cerver/bin/cerver-relay", "/home/ann/.cerver/versions", "/home/ann/.cerver/relay", "/home/ann/.cerver/cerver.env", "/home/ann/.net/cerver-relay"],
            plan.Remove);
        var kept = UninstallPlan.Make("/home/ann/.cerver", "/home/ann", "/var/cache/dotnet-bundles", keepData: true);
        Assert.Equal(["/home/ann/.cerver/bin/cerver-relay", "/home/ann/.cerver/versions", "/var/cache/dotnet-bundles/cerver-relay"], kept.Remove);
        Assert.DoesNotContain("/var/cache/dotnet-bundles", kept.RemoveIfEmpty);
    }

    [Fact]
    public void A_link_out_of_cerver_home_is_removed_as_a_link_and_its_target_survives()
    {
        using var root = new TempDirectory("cerver-uninstall");
        var outside = Path.Combine(root.Path, "precious");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "keep.txt"), "keep");
        var cerverHome = Path.Combine(root.Path, "home", ".cerver");
        Directory.CreateDirectory(cerverHome);
        Directory.CreateSymbolicLink(Path.Combine(cerverHome, "versions"), outside);
        Directory.CreateSymbolicLink(Path.Combine(cerverHome, "relay"), outside);

        UninstallPlan.Make(cerverHome, Path.Combine(root.Path, "home"), null, keepData: false).Apply();

        Assert.True(File.Exists(Path.Combine(outside, "keep.txt")));
        Assert.False(Directory.Exists(cerverHome));
    }

    /// <summary>An installed relay as the installer and a first start leave it, with a user unit no service manager runs.</summary>
    private sealed class FakeInstall : IDisposable
    {
        private readonly TempDirectory _root = new("cerver-uninstall");

        public FakeInstall()
        {
            Directory.CreateDirectory(Home);
            ReleaseKit.InstallScript(CerverHome, "1.0.0");
            Directory.CreateDirectory(Path.Combine(CerverHome, "relay", "logs"));
            File.WriteAllText(Path.Combine(CerverHome, "relay", "relay.db"), "db");
            File.WriteAllText(Path.Combine(CerverHome, "cerver.env"), "CERVER_API_KEY=ck_test\n");
            Directory.CreateDirectory(Path.Combine(Home, ".net", "cerver-relay", "Ab12Cd34"));
            File.WriteAllText(Path.Combine(Home, ".net", "cerver-relay", "Ab12Cd34", "libe_sqlite3.so"), "elf");
            File.WriteAllText(Path.Combine(Home, ".bashrc"), $"export PATH=\"{CerverHome}/bin:$PATH\"\n");
            Directory.CreateDirectory(Path.GetDirectoryName(Unit)!);
            File.WriteAllText(Unit, SystemdUnit.Render(ServiceDefinition.For(new Cerver.Relay.Configuration.RelayPaths(CerverHome))));
        }

        public string Home => Path.Combine(_root.Path, "home");

        public string CerverHome => Path.Combine(Home, ".cerver");

        public string Link => Path.Combine(CerverHome, "bin", "cerver-relay");

        public string Unit => Path.Combine(_root.Path, "xdg", "systemd", "user", SystemdUnit.FileName);

        public Task<ChildProcess.Result> RunAsync(params string[] arguments) => RunWithHomeAsync(CerverHome, arguments);

        public Task<ChildProcess.Result> RunWithHomeAsync(string cerverHome, params string[] arguments) =>
            RelayProcess.RunCliAsync(cerverHome, arguments, NoServiceManager.Environment(_root.Path, Home));

        public void Dispose() => _root.Dispose();
    }
}
