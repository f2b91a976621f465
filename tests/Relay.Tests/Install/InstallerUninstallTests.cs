namespace Cerver.Relay.Tests.Install;

/// <summary>
/// <c>install-cerver.sh --uninstall</c> on a real install (the trimmed single-file release, which
/// unpacks its native library under HOME/.net): through the binary's own <c>uninstall</c>, and by
/// hand when the binary is gone.
/// </summary>
[Collection(ReleaseBuildsGroup.Name)]
public sealed class InstallerUninstallTests(ReleaseBuilds builds)
{
    private static readonly string[] Quiet = ["--no-login", "--no-service"];

    [Fact]
    public async Task Uninstall_asks_for_yes_without_a_terminal_then_keeps_data_then_removes_everything()
    {
        await using var harness = await InstallerHarness.StartAsync(builds.Current);
        Assert.Equal(0, (await harness.InstallAsync(Quiet)).ExitCode);
        var extracted = Path.Combine(harness.Home, ".net", "cerver-relay");
        Assert.True(Directory.Exists(extracted), "the single-file release should have unpacked its native library");
        Directory.CreateDirectory(Path.Combine(harness.CerverHome, "relay"));
        await File.WriteAllTextAsync(Path.Combine(harness.CerverHome, "relay", "identity.json"), "{}", TestContext.Current.CancellationToken);

        var unconfirmed = await harness.InstallAsync("--uninstall");

        Assert.Equal(2, unconfirmed.ExitCode);
        Assert.Contains("--yes", unconfirmed.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(harness.Link));

        var keep = await harness.InstallAsync("--uninstall", "--keep-data", "--yes");

        Assert.True(keep.ExitCode == 0, keep.Output);
        Assert.False(File.Exists(harness.Link) || new FileInfo(harness.Link).LinkTarget is not null);
        Assert.False(Directory.Exists(harness.VersionsFolder));
        Assert.False(Directory.Exists(extracted));
        Assert.True(File.Exists(Path.Combine(harness.CerverHome, "relay", "identity.json")));
        Assert.Contains($"{harness.CerverHome}/bin", keep.Stdout, StringComparison.Ordinal);
        Assert.Contains("PATH", keep.Stdout, StringComparison.Ordinal);

        // The binary is gone now: the installer removes the rest by hand.
        var full = await harness.InstallAsync("--uninstall", "--yes");

        Assert.True(full.ExitCode == 0, full.Output);
        Assert.False(Directory.Exists(harness.CerverHome), full.Output);
        Assert.True(Directory.Exists(harness.Home));
        Assert.Contains("from PATH", full.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(harness.TempFolder));
    }

    [Fact]
    public async Task Uninstall_refuses_a_cerver_home_that_holds_home_and_removes_nothing()
    {
        await using var harness = await InstallerHarness.StartAsync(builds.Current);
        var sentinel = Path.Combine(harness.Home, "relay", "mine.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(sentinel)!);
        await File.WriteAllTextAsync(sentinel, "mine", TestContext.Current.CancellationToken);

        foreach (var cerverHome in new[] { harness.Home, Path.GetDirectoryName(harness.Home)!, "relative", "/" })
        {
            var run = await harness.InstallAsync(["--uninstall", "--yes"], new Dictionary<string, string?> { ["CERVER_HOME"] = cerverHome });

            Assert.Equal(1, run.ExitCode);
            Assert.Contains("nothing was removed", run.Stderr, StringComparison.Ordinal);
        }

        Assert.True(File.Exists(sentinel));
    }
}
