using System.Globalization;
using Cerver.Relay.Compute.Isolation;

namespace Cerver.Relay.Compute.Tests.Isolation;

public sealed class BubblewrapArgumentsBuilderTests
{
    private static readonly SystemView System = new([new SystemFolder("/usr", null), new SystemFolder("/bin", "usr/bin"), new SystemFolder("/etc", null)]);

    private static readonly BubblewrapLaunch Launch = new(System, ["/run/systemd/resolve"], 9, "/usr/bin/setpriv");

    private static SandboxBoundary Boundary(bool network = false, SandboxUser? user = null) => new(
        "/home/u/.cerver/relay/sandboxes/sbx_a",
        "/home/u/.cerver/relay/sandboxes/sbx_a/src",
        "/tmp",
        network,
        ["/home/u/.cerver", "/home/u", "/home", "/etc/cerver-secret"],
        ["/usr/lib/node", "/"])
    {
        User = user,
    };

    private static List<string> Build(SandboxBoundary boundary) =>
        [.. new BubblewrapArgumentsBuilder(boundary, Launch).Build("/bin/sh", ["-c", "echo hi"])];

    [Fact]
    public void Unshares_every_namespace_and_dies_with_its_parent()
    {
        var args = Build(Boundary());
        Assert.Contains("--die-with-parent", args);
        Assert.Contains("--new-session", args);
        Assert.Contains("--unshare-pid", args);
        Assert.Contains("--unshare-ipc", args);
        Assert.Contains("--unshare-uts", args);
        Assert.Contains("--unshare-net", args);
    }

    [Fact]
    public void Keeps_the_network_only_when_asked_and_then_binds_the_resolver()
    {
        var args = Build(Boundary(network: true));
        Assert.DoesNotContain("--unshare-net", args);
        Assert.True(IndexOfSequence(args, "--ro-bind-try", "/run/systemd/resolve", "/run/systemd/resolve") >= 0);
        Assert.True(IndexOfSequence(Build(Boundary()), "--ro-bind-try", "/run/systemd/resolve", "/run/systemd/resolve") < 0);
    }

    [Fact]
    public void Shows_only_the_system_folders_and_keeps_their_links()
    {
        var args = Build(Boundary());
        Assert.True(IndexOfSequence(args, "--ro-bind", "/usr", "/usr") >= 0);
        Assert.True(IndexOfSequence(args, "--symlink", "usr/bin", "/bin") >= 0);
        Assert.True(IndexOfSequence(args, "--ro-bind", "/", "/") < 0, "the host root is never bound");
        Assert.True(IndexOfSequence(args, "--tmpfs", "/etc/cerver-secret") >= 0, "a hidden folder inside a visible one is covered");
        Assert.True(IndexOfSequence(args, "--tmpfs", "/home") < 0, "a hidden folder that is not visible needs no cover");
    }

    [Fact]
    public void As_an_ordinary_user_it_takes_a_user_namespace_that_may_not_make_another()
    {
        var args = Build(Boundary());
        Assert.True(IndexOfSequence(args, "--unshare-user", "--disable-userns") >= 0);
        Assert.DoesNotContain("/usr/bin/setpriv", args);
    }

    [Fact]
    public void A_bwrap_without_disable_userns_still_gets_its_own_user_namespace()
    {
        var args = new BubblewrapArgumentsBuilder(Boundary(), Launch with { DisableUserNamespaces = false }).Build("/bin/sh", []).ToList();
        Assert.Contains("--unshare-user", args);
        Assert.DoesNotContain("--disable-userns", args);
    }

    [Fact]
    public void As_root_it_drops_to_the_sandbox_user_with_no_capability_before_the_command()
    {
        var args = Build(Boundary(user: new SandboxUser(2_000_000_123, 2_000_000_123)));
        Assert.DoesNotContain("--unshare-user", args);
        var separator = args.IndexOf("--");
        Assert.Equal(
            ["/usr/bin/setpriv", "--reuid=2000000123", "--regid=2000000123", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--", "/bin/sh", "-c", "echo hi"],
            args[(separator + 1)..]);
    }

    [Fact]
    public void The_private_tmp_and_shm_are_sticky_and_capped()
    {
        var args = Build(Boundary());
        var size = ResourceLimits.Default.TemporaryBytes.ToString(CultureInfo.InvariantCulture);
        Assert.True(IndexOfSequence(args, "--perms", "1777", "--size", size, "--tmpfs", "/tmp") >= 0);
        Assert.True(IndexOfSequence(args, "--perms", "1777", "--size", size, "--tmpfs", "/dev/shm") >= 0);
        var unsized = new BubblewrapArgumentsBuilder(Boundary(), Launch with { SizedTemporaryFolders = false }).Build("/bin/sh", []).ToList();
        Assert.True(IndexOfSequence(unsized, "--perms", "1777", "--tmpfs", "/tmp") >= 0);
    }

    [Fact]
    public void Loads_the_seccomp_filter_from_its_descriptor()
    {
        var args = Build(Boundary());
        Assert.True(IndexOfSequence(args, "--seccomp", "9") >= 0);
        Assert.True(IndexOfSequence(args, "--seccomp", "9") < args.IndexOf("--"));
    }

    [Fact]
    public void Makes_the_bind_parents_passable_then_binds_runtimes_and_last_the_workspace()
    {
        var args = Build(Boundary());

        var parents = IndexOfSequence(args, "--perms", "0755", "--dir", "/home");
        var deeper = IndexOfSequence(args, "--perms", "0755", "--dir", "/home/u/.cerver/relay/sandboxes");
        var workspace = IndexOfSequence(args, "--bind", "/home/u/.cerver/relay/sandboxes/sbx_a", "/home/u/.cerver/relay/sandboxes/sbx_a");
        var tmp = IndexOfSequence(args, "--tmpfs", "/tmp");

        Assert.True(parents >= 0 && deeper > parents, "outer parents are made before inner ones");
        Assert.True(workspace > deeper && tmp < workspace);
        Assert.True(IndexOfSequence(args, "--ro-bind", "/usr/lib/node", "/usr/lib/node") < 0, "a runtime under a system folder is already visible");
        Assert.Equal(["--chdir", "/home/u/.cerver/relay/sandboxes/sbx_a/src"], args[(workspace + 3)..(workspace + 5)]);
    }

    private static int IndexOfSequence(List<string> args, params string[] sequence)
    {
        for (var i = 0; i <= args.Count - sequence.Length; i++)
        {
            if (args.Skip(i).Take(sequence.Length).SequenceEqual(sequence))
            {
                return i;
            }
        }

        return -1;
    }
}
