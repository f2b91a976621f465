using Cerver.Relay.Compute.Isolation;
using Cerver.Relay.Compute.Packages;

namespace Cerver.Relay.Compute.Tests.Packages;

public sealed class FetchPhaseTests
{
    private const string Sandboxes = "/home/u/.cerver/relay/sandboxes";
    private const string Workspace = Sandboxes + "/sbx_a";

    private static readonly InstallStaging Staging = new(Workspace + ".install-0a1b");

    private static SandboxBoundary SandboxWithoutNetwork() => new(Workspace, Workspace, "/tmp", false, ["/home/u/.cerver", "/home/u"], ["/home/u/.pyenv/versions/3.12.0"])
    {
        Limits = ResourceLimits.Default,
        User = new SandboxUser(700001, 700001),
    };

    private static readonly BubblewrapLaunch Launch = new(new SystemView([new SystemFolder("/usr", null)]), [], 9, "/usr/bin/setpriv");

    [Fact]
    public void The_fetch_has_network_and_the_staging_folder_but_never_the_workspace()
    {
        var boundary = FetchPhase.Boundary(SandboxWithoutNetwork(), Staging, "/tmp", Sandboxes);
        var args = new BubblewrapArgumentsBuilder(boundary, Launch).Build("/usr/bin/npm", ["install"]).ToList();

        Assert.DoesNotContain("--unshare-net", args);
        Assert.DoesNotContain(Workspace, args);
        Assert.Equal(Staging.Root, args[args.IndexOf("--bind") + 1]);
        Assert.Equal(Staging.Root, args[args.IndexOf("--chdir") + 1]);
        Assert.Contains(Sandboxes, boundary.HiddenPaths);
        Assert.Equal("--dir", args[args.IndexOf(Sandboxes) - 1]);
    }

    [Fact]
    public void The_fetch_keeps_the_sandbox_bounds_and_identity()
    {
        var sandbox = SandboxWithoutNetwork();
        var boundary = FetchPhase.Boundary(sandbox, Staging, "/tmp", Sandboxes);

        Assert.Equal(sandbox.User, boundary.User);
        Assert.Equal(sandbox.Limits, boundary.Limits);
        Assert.Equal(sandbox.ReadOnlyPaths, boundary.ReadOnlyPaths);
        Assert.Empty(boundary.WritablePaths);
    }

    [Fact]
    public void The_offline_install_binds_the_staging_folder_writable_without_network()
    {
        var boundary = SandboxWithoutNetwork() with { WritablePaths = [Staging.Root] };
        var args = new BubblewrapArgumentsBuilder(boundary, Launch).Build("/usr/bin/npm", ["install"]).ToList();

        Assert.Contains("--unshare-net", args);
        var staging = args.IndexOf(Staging.Root);
        Assert.Equal("--bind", args[staging - 1]);
        Assert.Equal(Staging.Root, args[staging + 1]);
        Assert.Equal(Workspace, args[args.LastIndexOf("--bind") + 1]);
    }

    [Fact]
    public void A_staging_folder_is_fresh_beside_its_workspace()
    {
        var first = InstallStaging.Beside(Workspace);
        var second = InstallStaging.Beside(Workspace + "/");

        Assert.StartsWith(Workspace + InstallStaging.Marker, first.Root, StringComparison.Ordinal);
        Assert.NotEqual(first.Root, second.Root);
        Assert.Equal(Sandboxes, Path.GetDirectoryName(first.Root));
    }
}
