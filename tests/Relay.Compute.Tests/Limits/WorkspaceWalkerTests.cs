using Cerver.Relay.Compute.Limits;

namespace Cerver.Relay.Compute.Tests.Limits;

/// <summary>The walker on real files: blocks, not lengths; links never followed; bounded.</summary>
public sealed class WorkspaceWalkerTests : IDisposable
{
    private const long MiB = 1024 * 1024;
    private readonly string _root = Directory.CreateTempSubdirectory("walker-").FullName;
    private readonly string _outside = Directory.CreateTempSubdirectory("walker-outside-").FullName;

    [Fact]
    public void A_sparse_file_counts_the_blocks_it_holds_and_a_full_one_its_size()
    {
        using (var sparse = File.Create(Path.Combine(_root, "sparse")))
        {
            sparse.SetLength(512 * MiB);
        }

        File.WriteAllBytes(Path.Combine(_root, "full"), new byte[4 * MiB]);

        var usage = new WorkspaceWalker().Measure(_root);

        Assert.InRange(usage.AllocatedBytes, 4 * MiB, 5 * MiB);
        Assert.Equal(2, usage.Entries);
        Assert.False(usage.Capped);
    }

    [Fact]
    public void Symlinks_are_counted_as_links_never_followed_and_hard_links_once()
    {
        File.WriteAllBytes(Path.Combine(_outside, "big"), new byte[8 * MiB]);
        Directory.CreateSymbolicLink(Path.Combine(_root, "dir-link"), _outside);
        File.CreateSymbolicLink(Path.Combine(_root, "file-link"), Path.Combine(_outside, "big"));
        File.WriteAllBytes(Path.Combine(_root, "data"), new byte[2 * MiB]);
        Link(Path.Combine(_root, "data"), Path.Combine(_root, "data-again"));

        var usage = new WorkspaceWalker().Measure(_root);

        Assert.InRange(usage.AllocatedBytes, 2 * MiB, 3 * MiB);
    }

    [Fact]
    public void The_walk_stops_at_its_entry_and_depth_caps()
    {
        for (var i = 0; i < 20; i++)
        {
            File.WriteAllText(Path.Combine(_root, $"f{i}"), "x");
        }

        Directory.CreateDirectory(Path.Combine(_root, "a", "b", "c", "d"));

        Assert.True(new WorkspaceWalker(maxEntries: 10).Measure(_root).Capped);
        Assert.True(new WorkspaceWalker(maxDepth: 3).Measure(_root).Capped);
        Assert.False(new WorkspaceWalker().Measure(_root).Capped);
    }

    [Fact]
    public void Set_id_bits_are_stripped_inside_but_not_through_a_link_to_outside()
    {
        var inside = Path.Combine(_root, "sub", "tool");
        Directory.CreateDirectory(Path.GetDirectoryName(inside)!);
        File.WriteAllText(inside, "#!/bin/sh\n");
        File.SetUnixFileMode(inside, (UnixFileMode)Convert.ToInt32("6755", 8));
        var outside = Path.Combine(_outside, "victim");
        File.WriteAllText(outside, "#!/bin/sh\n");
        File.SetUnixFileMode(outside, (UnixFileMode)Convert.ToInt32("4755", 8));
        File.CreateSymbolicLink(Path.Combine(_root, "victim-link"), outside);

        var usage = new WorkspaceWalker().StripSetIdBits(_root);

        Assert.Equal(1, usage.SetIdStripped);
        Assert.Equal((UnixFileMode)Convert.ToInt32("0755", 8), File.GetUnixFileMode(inside));
        Assert.Equal((UnixFileMode)Convert.ToInt32("4755", 8), File.GetUnixFileMode(outside));
    }

    private static void Link(string existing, string link)
    {
        using var ln = System.Diagnostics.Process.Start("ln", [existing, link]);
        ln.WaitForExit();
        Assert.Equal(0, ln.ExitCode);
    }

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }
}
