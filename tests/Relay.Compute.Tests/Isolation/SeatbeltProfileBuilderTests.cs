using Cerver.Relay.Compute.Isolation;

namespace Cerver.Relay.Compute.Tests.Isolation;

public sealed class SeatbeltProfileBuilderTests
{
    private static SandboxBoundary Boundary(bool network) => new(
        "/Users/u/.cerver/relay/sandboxes/sbx_a",
        "/Users/u/.cerver/relay/sandboxes/sbx_a",
        "/Users/u/.cerver/relay/sandboxes/sbx_a.tmp",
        network,
        ["/Users/u", "/Users/u/.cerver"],
        ["/Users/u/.nvm/versions/node/v22.1.0"]);

    [Fact]
    public void Denies_by_default_and_orders_rules_so_the_workspace_wins_over_the_hidden_home()
    {
        var lines = new SeatbeltProfileBuilder(Boundary(network: false)).Build().Split('\n');

        Assert.Equal("(version 1)", lines[0]);
        Assert.Equal("(deny default)", lines[1]);
        var readAll = Array.IndexOf(lines, "(allow file-read*)");
        var denyHome = Array.IndexOf(lines, "(deny file-read* (subpath \"/Users/u\"))");
        var toolchain = Array.IndexOf(lines, "(allow file-read* (subpath \"/Users/u/.nvm/versions/node/v22.1.0\"))");
        var workspace = Array.IndexOf(lines, "(allow file-read* file-write* (subpath \"/Users/u/.cerver/relay/sandboxes/sbx_a\"))");
        var temp = Array.IndexOf(lines, "(allow file-read* file-write* (subpath \"/Users/u/.cerver/relay/sandboxes/sbx_a.tmp\"))");

        Assert.True(readAll > 1 && denyHome > readAll && toolchain > denyHome && workspace > toolchain && temp > toolchain);
        Assert.DoesNotContain("(allow network*)", lines);
        Assert.Contains("(allow network* (local unix))", lines);
        Assert.DoesNotContain(lines, line => line.StartsWith("(allow file-write* (subpath \"/Users/u\")", StringComparison.Ordinal));
    }

    [Fact]
    public void Denies_set_id_bits_and_looking_into_other_processes_after_the_workspace_allows_writes()
    {
        var lines = new SeatbeltProfileBuilder(Boundary(network: false)).Build().Split('\n');
        var workspace = Array.FindIndex(lines, line => line.StartsWith("(allow file-read* file-write* (subpath", StringComparison.Ordinal));

        Assert.True(Array.IndexOf(lines, "(deny file-write-setugid)") > workspace, "the last matching rule wins, so the denial comes after the workspace's allow");
        Assert.Contains("(deny process-info* (target others))", lines);
        Assert.Contains("(deny mach-priv-task-port)", lines);
    }

    [Fact]
    public void Allows_the_network_only_when_asked()
    {
        var profile = new SeatbeltProfileBuilder(Boundary(network: true)).Build();
        Assert.Contains("(allow network*)", profile, StringComparison.Ordinal);
    }

    [Fact]
    public void Quotes_paths_and_refuses_control_characters()
    {
        Assert.Equal("\"/a \\\"b\\\" \\\\c\"", SeatbeltProfileBuilder.Quote("/a \"b\" \\c"));
        Assert.Throws<ArgumentException>(() => SeatbeltProfileBuilder.Quote("/a\n(allow default)"));
    }

    [Fact]
    public void The_backend_runs_sandbox_exec_by_absolute_path()
    {
        var spec = new Cerver.Relay.Compute.Processes.ProcessSpec("/bin/sh", ["-c", "true"], "/w", new Dictionary<string, string>());
        var wrapped = new SeatbeltBackend().Wrap(spec, Boundary(network: false));
        Assert.Equal("/usr/bin/sandbox-exec", wrapped.FileName);
        Assert.Equal("-p", wrapped.Arguments[0]);
        Assert.Equal(["/bin/sh", "-c", "true"], wrapped.Arguments[2..]);
    }
}
