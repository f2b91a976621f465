using System.Globalization;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Install;

/// <summary>
/// A throwaway user for <c>install/install-cerver.sh</c>: its own HOME (CERVER_HOME defaults under
/// it), TMPDIR, and a release server in GitHub's layout. The installer runs without a terminal.
/// </summary>
public sealed class InstallerHarness : IAsyncDisposable
{
    private static readonly string Script = Path.Combine(ReleaseBuilds.RepositoryRoot, "install", "install-cerver.sh");
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    private readonly TempDirectory _root;
    private readonly string _port = RelayProcess.FreePort().ToString(CultureInfo.InvariantCulture);

    private InstallerHarness(TempDirectory root, ReleaseServer server)
    {
        _root = root;
        Server = server;
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(TempFolder);
    }

    public ReleaseServer Server { get; }

    public string Home => Path.Combine(_root.Path, "home");

    public string CerverHome => Path.Combine(Home, ".cerver");

    public string Link => Path.Combine(CerverHome, "bin", "cerver-relay");

    public string VersionsFolder => Path.Combine(CerverHome, "versions");

    /// <summary>The installer's TMPDIR: empty again after every run, whatever the outcome.</summary>
    public string TempFolder => Path.Combine(_root.Path, "tmp");

    /// <summary>Commands found before the system's (a fake <c>uname</c>, say).</summary>
    public string ShimFolder => Path.Combine(_root.Path, "shims");

    public static async Task<InstallerHarness> StartAsync(params Release[] releases)
    {
        var root = new TempDirectory("cerver-install");
        var harness = new InstallerHarness(root, await ReleaseServer.StartAsync(Path.Combine(root.Path, "releases")));
        foreach (var release in releases)
        {
            harness.Server.AddRelease(release.Tag, release.Assets);
            harness.Server.LatestTag = release.Tag;
        }

        return harness;
    }

    public Task<ChildProcess.Result> InstallAsync(params string[] arguments) => InstallAsync(arguments, new Dictionary<string, string?>());

    public Task<ChildProcess.Result> InstallAsync(IEnumerable<string> arguments, IDictionary<string, string?> environment) =>
        ChildProcess.RunAsync("bash", [Script, .. arguments], Limit, Environment(environment));

    /// <summary>Runs the installed <c>cerver-relay</c> through its link, as a user would.</summary>
    public Task<ChildProcess.Result> RelayAsync(params string[] arguments) =>
        ChildProcess.RunAsync(Link, arguments, Limit, Environment(new Dictionary<string, string?>()));

    /// <summary>Where the link points, resolved.</summary>
    public string LinkTarget()
    {
        var target = File.ResolveLinkTarget(Link, returnFinalTarget: true);
        Assert.NotNull(target);
        return Path.GetFullPath(target.FullName);
    }

    public string InstalledBinary(string version) => Path.Combine(VersionsFolder, version, "cerver-relay");

    public string[] InstalledVersions() =>
        Directory.Exists(VersionsFolder) ? [.. Directory.GetDirectories(VersionsFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal)!] : [];

    public void AddShim(string name, string script)
    {
        Directory.CreateDirectory(ShimFolder);
        var path = Path.Combine(ShimFolder, name);
        File.WriteAllText(path, "#!/bin/sh\n" + script + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private Dictionary<string, string?> Environment(IDictionary<string, string?> extra)
    {
        var path = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        var environment = new Dictionary<string, string?>
        {
            // Whatever the machine running the tests has set must not leak in.
            ["CERVER_HOME"] = null,
            ["CERVER_VERSION"] = null,
            ["CERVER_UPDATE_REPO"] = null,
            ["CERVER_API_KEY"] = null,
            ["CERVER_GATEWAY_URL"] = null,
            ["HOME"] = Home,
            ["XDG_CONFIG_HOME"] = null,
            ["TMPDIR"] = TempFolder,
            ["PATH"] = Directory.Exists(ShimFolder) ? $"{ShimFolder}:{path}" : path,
            ["SHELL"] = "/bin/bash",
            ["CERVER_RELEASES_URL"] = Server.ReleasesUrl,
            // `status` at the end must find no daemon: nothing listens on a port just found free.
            ["CERVER_RELAY_PORT"] = _port,
            ["DOTNET_ROOT"] = ReleaseBuilds.DotnetRoot,
        };
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        return environment;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _root.Dispose();
    }
}
