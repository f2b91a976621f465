namespace Cerver.Relay.Tests.Install;

/// <summary>
/// <c>install/install-cerver.sh</c> end to end: real release archives from a loopback server in
/// GitHub's layout, installed into a throwaway HOME, and the installed binary run through its link.
/// </summary>
[Collection(ReleaseBuildsGroup.Name)]
public sealed class InstallerTests(ReleaseBuilds builds)
{
    private static readonly string[] Quiet = ["--no-login", "--no-service"];

    [Fact]
    public async Task A_fresh_install_links_bin_into_versions_and_the_binary_answers_version()
    {
        await using var harness = await InstallerHarness.StartAsync(builds.Current);

        var install = await harness.InstallAsync(Quiet);

        Assert.True(install.ExitCode == 0, install.Output);
        Assert.Equal(harness.InstalledBinary(builds.Current.Version), harness.LinkTarget());
        Assert.Equal(builds.Current.Version, (await harness.RelayAsync("version")).Stdout.Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(harness.CerverHome));
        Assert.Contains($"/releases/latest/download/{ReleaseBuilds.AssetName}", harness.Server.Requests);
        Assert.Contains($"installed cerver-relay {builds.Current.Version}", install.Stdout, StringComparison.Ordinal);
        Assert.Contains($"export PATH=\"{harness.CerverHome}/bin:$PATH\"", install.Stdout, StringComparison.Ordinal);
        // The closing status: no daemon runs, which is exit 3 for status but not a failed install.
        Assert.Contains("cerver-relay is not running", install.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(harness.TempFolder));
    }

    [Fact]
    public async Task Running_it_again_reinstalls_the_same_version_in_place()
    {
        await using var harness = await InstallerHarness.StartAsync(builds.Current);
        Assert.Equal(0, (await harness.InstallAsync(Quiet)).ExitCode);

        var again = await harness.InstallAsync(Quiet);

        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Equal([builds.Current.Version], harness.InstalledVersions());
        Assert.Equal(harness.InstalledBinary(builds.Current.Version), harness.LinkTarget());
        Assert.Equal(builds.Current.Version, (await harness.RelayAsync("version")).Stdout.Trim());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(harness.CerverHome, "bin"), ".*"));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(harness.VersionsFolder, builds.Current.Version), "*.incoming.*"));
    }

    [Fact]
    public async Task A_pinned_version_comes_from_its_tag_by_flag_or_environment()
    {
        await using var harness = await InstallerHarness.StartAsync(builds.Previous, builds.Current);

        var flag = await harness.InstallAsync([.. Quiet, "--version", builds.Previous.Version], new Dictionary<string, string?>());

        Assert.True(flag.ExitCode == 0, flag.Output);
        Assert.Equal(harness.InstalledBinary(builds.Previous.Version), harness.LinkTarget());
        Assert.Equal(builds.Previous.Version, (await harness.RelayAsync("version")).Stdout.Trim());
        Assert.Contains($"/releases/download/{builds.Previous.Tag}/{ReleaseBuilds.AssetName}", harness.Server.Requests);
        Assert.DoesNotContain(harness.Server.Requests, path => path.Contains("/latest/", StringComparison.Ordinal));

        var environment = await harness.InstallAsync(Quiet, new Dictionary<string, string?> { ["CERVER_VERSION"] = builds.Current.Version });

        Assert.True(environment.ExitCode == 0, environment.Output);
        Assert.Equal(harness.InstalledBinary(builds.Current.Version), harness.LinkTarget());
        Assert.Contains($"/releases/download/{builds.Current.Tag}/{ReleaseBuilds.AssetName}", harness.Server.Requests);
    }

    [Fact]
    public async Task An_upgrade_keeps_the_new_and_the_previous_version_only()
    {
        await using var harness = await InstallerHarness.StartAsync(builds.Previous, builds.Current);
        // What an earlier install left: an older version the link points at.
        var ancient = Path.Combine(harness.VersionsFolder, "0.9.0");
        Directory.CreateDirectory(ancient);
        File.Copy(builds.Previous.Archive, Path.Combine(ancient, "cerver-relay"));
        Directory.CreateDirectory(Path.Combine(harness.CerverHome, "bin"));
        File.CreateSymbolicLink(harness.Link, "../versions/0.9.0/cerver-relay");

        var pinned = await harness.InstallAsync([.. Quiet, "--version", builds.Previous.Version], new Dictionary<string, string?>());
        Assert.True(pinned.ExitCode == 0, pinned.Output);
        Assert.Equal(["0.9.0", builds.Previous.Version], harness.InstalledVersions());

        var upgrade = await harness.InstallAsync(Quiet);

        Assert.True(upgrade.ExitCode == 0, upgrade.Output);
        Assert.Contains($"upgraded cerver-relay {builds.Previous.Version} -> {builds.Current.Version}", upgrade.Stdout, StringComparison.Ordinal);
        Assert.Equal([builds.Previous.Version, builds.Current.Version], harness.InstalledVersions());
        Assert.Equal(harness.InstalledBinary(builds.Current.Version), harness.LinkTarget());
        Assert.Equal(builds.Current.Version, (await harness.RelayAsync("version")).Stdout.Trim());
    }

    public enum Breakage
    {
        TamperedArchive,
        NoSha256Sums,
        NoArchive,
    }

    [Theory]
    [InlineData(Breakage.TamperedArchive, "checksum mismatch for cerver-relay-", "the download is corrupt or was tampered with")]
    [InlineData(Breakage.NoSha256Sums, "could not download SHA256SUMS from", "refusing to install an archive that cannot be verified")]
    [InlineData(Breakage.NoArchive, "could not download cerver-relay-", "this release has no build for")]
    public async Task A_broken_release_is_refused_and_the_previous_install_is_untouched(Breakage breakage, string reason, string advice)
    {
        await using var harness = await InstallerHarness.StartAsync(builds.Previous);
        var install = await harness.InstallAsync(Quiet);
        Assert.True(install.ExitCode == 0, install.Output);
        var before = ReleaseBuilds.Sha256Of(harness.InstalledBinary(builds.Previous.Version));
        var assets = builds.Current.Assets;
        assets.Remove(breakage switch { Breakage.NoSha256Sums => "SHA256SUMS", Breakage.NoArchive => ReleaseBuilds.AssetName, _ => "" });
        var folder = harness.Server.AddRelease(builds.Current.Tag, assets);
        if (breakage == Breakage.TamperedArchive)
        {
            // One byte differs from what SHA256SUMS says.
            var archive = Path.Combine(folder, ReleaseBuilds.AssetName);
            var bytes = await File.ReadAllBytesAsync(archive, TestContext.Current.CancellationToken);
            bytes[^1] ^= 0xff;
            await File.WriteAllBytesAsync(archive, bytes, TestContext.Current.CancellationToken);
        }

        harness.Server.LatestTag = builds.Current.Tag;

        var upgrade = await harness.InstallAsync(Quiet);

        Assert.Equal(1, upgrade.ExitCode);
        Assert.Contains(reason, upgrade.Stderr, StringComparison.Ordinal);
        Assert.Contains(advice, upgrade.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", upgrade.Stderr, StringComparison.Ordinal);
        Assert.Equal([builds.Previous.Version], harness.InstalledVersions());
        Assert.Equal(harness.InstalledBinary(builds.Previous.Version), harness.LinkTarget());
        Assert.Equal(before, ReleaseBuilds.Sha256Of(harness.InstalledBinary(builds.Previous.Version)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(harness.TempFolder));
    }

    [Theory]
    [InlineData("FreeBSD", "amd64", "unsupported operating system 'FreeBSD': cerver-relay is built for Linux and macOS")]
    [InlineData("Linux", "riscv64", "unsupported architecture 'riscv64' on linux: cerver-relay is built for x86_64 and arm64")]
    public async Task An_unsupported_platform_is_named_and_nothing_is_downloaded(string os, string machine, string message)
    {
        await using var harness = await InstallerHarness.StartAsync(builds.Current);
        harness.AddShim("uname", $"case \"$1\" in -s) echo {os} ;; -m) echo {machine} ;; *) exit 1 ;; esac");

        var install = await harness.InstallAsync(Quiet);

        Assert.Equal(1, install.ExitCode);
        Assert.Equal($"install-cerver: {message}", install.Stderr.Trim());
        Assert.Empty(harness.Server.Requests);
        Assert.False(Directory.Exists(harness.CerverHome));
    }

    [Fact]
    public async Task Without_a_terminal_login_is_skipped_and_a_service_that_cannot_start_is_reported_not_fatal()
    {
        await using var harness = await InstallerHarness.StartAsync(builds.Current);
        harness.AddShim("systemctl", "echo 'Failed to connect to bus: No medium found' >&2; exit 1");

        var install = await harness.InstallAsync();

        Assert.True(install.ExitCode == 0, install.Output);
        Assert.Contains("skipping login: no terminal", install.Stdout, StringComparison.Ordinal);
        // One voice: the binary says what is missing and the command to run instead; the installer adds one line.
        Assert.Contains("its service is not (why, and what to run instead, is above)", install.Stdout, StringComparison.Ordinal);
        Assert.Contains($"nohup {harness.CerverHome}/bin/cerver-relay run", install.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("$USER", install.Output, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(install.Output, "no service manager can keep the relay running here"));
        Assert.False(File.Exists(Path.Combine(harness.Home, ".config", "systemd", "user", "cerver-relay.service")), install.Output);
        Assert.Equal(builds.Current.Version, (await harness.RelayAsync("version")).Stdout.Trim());
    }

    [Fact]
    public async Task Help_lists_the_options_and_an_unknown_option_is_a_usage_error()
    {
        await using var harness = await InstallerHarness.StartAsync(builds.Current);

        var help = await harness.InstallAsync("--help");
        var unknown = await harness.InstallAsync("--colour");

        Assert.Equal(0, help.ExitCode);
        foreach (var option in new[] { "--version V", "--no-login", "--no-service", "CERVER_RELEASES_URL", "CERVER_UPDATE_REPO", "CERVER_HOME" })
        {
            Assert.Contains(option, help.Stdout, StringComparison.Ordinal);
        }

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("unknown option --colour", unknown.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Server.Requests);
    }
}
