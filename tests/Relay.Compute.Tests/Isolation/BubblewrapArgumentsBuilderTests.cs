using Cerver.Relay.Compute.Isolation;

namespace Cerver.Relay.Compute.Tests.Isolation;

public sealed class BubblewrapArgumentsBuilderTests
{
    private static SandboxBoundary Boundary(bool network = false) => new(
        "/home/u/.cerver/relay/sandboxes/sbx_a",
        "/home/u/.cerver/relay/sandboxes/sbx_a/src",
        "/tmp",
        network,
        ["/home/u/.cerver", "/home/u", "/home"],
        ["/home/u/.pyenv/versions/3.12.0"]);

    [Fact]
    public void Unshares_every_namespace_and_dies_with_its_parent()
    {
        var args = new BubblewrapArgumentsBuilder(Boundary()).Build("/bin/sh", ["-c", "true"]);
        Assert.Contains("--die-with-parent", args);
        Assert.Contains("--new-session", args);
        Assert.Contains("--unshare-pid", args);
        Assert.Contains("--unshare-ipc", args);
        Assert.Contains("--unshare-uts", args);
        Assert.Contains("--unshare-net", args);
    }

    [Fact]
    public void Keeps_the_network_only_when_asked()
    {
        var args = new BubblewrapArgumentsBuilder(Boundary(network: true)).Build("/bin/sh", ["-c", "true"]);
        Assert.DoesNotContain("--unshare-net", args);
    }

    [Fact]
    public void Mounts_the_system_read_only_hides_homes_then_exposes_toolchains_and_the_workspace()
    {
        var args = new BubblewrapArgumentsBuilder(Boundary()).Build("/bin/sh", ["-c", "echo hi"]).ToList();

        var root = IndexOfSequence(args, "--ro-bind", "/", "/");
        var hideHome = IndexOfSequence(args, "--tmpfs", "/home");
        var hideUser = IndexOfSequence(args, "--tmpfs", "/home/u");
        var hideCerver = IndexOfSequence(args, "--tmpfs", "/home/u/.cerver");
        var toolchain = IndexOfSequence(args, "--ro-bind-try", "/home/u/.pyenv/versions/3.12.0", "/home/u/.pyenv/versions/3.12.0");
        var workspace = IndexOfSequence(args, "--bind", "/home/u/.cerver/relay/sandboxes/sbx_a", "/home/u/.cerver/relay/sandboxes/sbx_a");
        var tmp = IndexOfSequence(args, "--tmpfs", "/tmp");

        Assert.True(root >= 0 && tmp > root);
        Assert.True(hideHome > root && hideUser > hideHome && hideCerver > hideUser, "outer hidden folders are mounted before inner ones");
        Assert.True(toolchain > hideCerver, "toolchains are re-exposed after hiding");
        Assert.True(workspace > toolchain, "the workspace is bound last");
        Assert.Equal(["--chdir", "/home/u/.cerver/relay/sandboxes/sbx_a/src", "--", "/bin/sh", "-c", "echo hi"], args[(workspace + 3)..]);
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
