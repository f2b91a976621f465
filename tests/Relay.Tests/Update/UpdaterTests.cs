using Cerver.Relay.Configuration;
using Cerver.Relay.Tests.Infrastructure;
using Cerver.Relay.Update;

namespace Cerver.Relay.Tests.Update;

/// <summary>The updater in this process against the loopback GitHub, with stand-in binaries (shell scripts) where the test is about the release, not the relay.</summary>
public sealed class UpdaterTests : IAsyncLifetime
{
    private readonly TempDirectory _home = new("cerver-home");
    private readonly HttpClient _http = new();
    private FakeGitHub _github = null!;

    public async ValueTask InitializeAsync()
    {
        // The one real build this class needs starts now and runs while the stand-in tests do.
        _ = RealRelayBuild.GetAsync();
        _github = await FakeGitHub.StartAsync();
        ReleaseKit.InstallScript(_home.Path, "1.0.0");
    }

    public async ValueTask DisposeAsync()
    {
        await _github.DisposeAsync();
        _http.Dispose();
        _home.Dispose();
    }

    private Updater CreateUpdater(UpdateTrust? trust = null) =>
        new(new RelayPaths(_home.Path), new GitHubReleaseSource(FakeGitHub.Repository, _github.ApiUrl, "test"), new AssetDownloader(_http), trust ?? ReleaseKit.Trust, TimeProvider.System);

    [Fact]
    public async Task A_newer_release_is_verified_staged_and_swapped_in()
    {
        _github.Publish(new FakeRelease("v1.1.0", false, ReleaseKit.Assets(ReleaseKit.ScriptArchive("1.1.0"))));
        var updater = CreateUpdater();

        var check = await updater.CheckAsync(includePreReleases: false, wanted: null, CancellationToken.None);
        Assert.True(check.IsNewer);
        Assert.Equal("1.1.0", updater.State.Read().Available);
        await updater.StageAsync(check.Release!, SilentProgress.Instance, CancellationToken.None);
        Assert.Equal("1.0.0", ReleaseKit.LinkedVersion(_home.Path));

        var pending = updater.Activate(check.Release!.Version);

        Assert.Equal(new PendingUpdate("1.1.0", "1.0.0", pending.SwappedAt), pending);
        Assert.Equal("1.1.0", ReleaseKit.LinkedVersion(_home.Path));
        Assert.Equal("1.1.0", await ReleaseKit.RunAsync(Path.Combine(_home.Path, "bin", "cerver-relay"), "version"));
        Assert.Equal("1.1.0", updater.State.Read().Pending?.Version);
        Assert.Equal(["1.0.0", "1.1.0"], ReleaseKit.InstalledVersions(_home.Path));
    }

    [Theory]
    [InlineData("v1.0.0")]
    [InlineData("v0.9.0")]
    public async Task An_equal_or_older_release_is_not_an_update(string tag)
    {
        _github.Publish(new FakeRelease(tag, false, ReleaseKit.Assets(ReleaseKit.ScriptArchive(tag[1..]))));

        var check = await CreateUpdater().CheckAsync(false, null, CancellationToken.None);

        Assert.False(check.IsNewer);
        Assert.Equal(tag[1..], check.Release!.Version.ToString());
        Assert.Null(CreateUpdater().State.Read().Available);
    }

    [Fact]
    public async Task A_pre_release_is_offered_only_when_asked_for()
    {
        _github.Publish(new FakeRelease("v1.0.0", false, ReleaseKit.Assets(ReleaseKit.ScriptArchive("1.0.0"))));
        _github.Publish(new FakeRelease("v1.1.0-beta.2", true, ReleaseKit.Assets(ReleaseKit.ScriptArchive("1.1.0-beta.2"))));
        _github.Publish(new FakeRelease("v1.1.0-beta.10", true, ReleaseKit.Assets(ReleaseKit.ScriptArchive("1.1.0-beta.10"))));
        var updater = CreateUpdater();

        var stable = await updater.CheckAsync(includePreReleases: false, wanted: null, CancellationToken.None);
        var withPre = await updater.CheckAsync(includePreReleases: true, wanted: null, CancellationToken.None);

        Assert.False(stable.IsNewer);
        Assert.True(withPre.IsNewer);
        Assert.Equal("1.1.0-beta.10", withPre.Release!.Version.ToString());
        await updater.StageAsync(withPre.Release, SilentProgress.Instance, CancellationToken.None);
        Assert.Contains("1.1.0-beta.10", ReleaseKit.InstalledVersions(_home.Path));
    }

    [Fact]
    public async Task A_wanted_version_is_looked_up_by_its_tag()
    {
        _github.Publish(new FakeRelease("v1.2.0", false, ReleaseKit.Assets(ReleaseKit.ScriptArchive("1.2.0"))));
        _github.Publish(new FakeRelease("v1.3.0", false, ReleaseKit.Assets(ReleaseKit.ScriptArchive("1.3.0"))));
        var updater = CreateUpdater();

        var check = await updater.CheckAsync(false, SemanticVersion.Parse("1.2.0"), CancellationToken.None);
        var missing = await Assert.ThrowsAsync<UpdateException>(() => updater.CheckAsync(false, SemanticVersion.Parse("9.9.9"), CancellationToken.None));

        Assert.Equal("v1.2.0", check.Release!.Tag);
        Assert.Contains("no release v9.9.9", missing.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BrokenReleases => new()
    {
        { "bad signature", "does not verify" },
        { "signed by another key", "does not verify" },
        { "checksum mismatch", "checksum" },
        { "no archive for this platform", "has nothing for this machine" },
        { "no SHA256SUMS", "has no SHA256SUMS" },
        { "no signature", "has no SHA256SUMS.sig" },
        { "truncated download", "incomplete" },
        { "binary exits 1", "failed its check" },
        { "binary prints another version", "failed its check" },
        { "archive escapes its folder", "outside its folder" },
    };

    [Theory]
    [MemberData(nameof(BrokenReleases))]
    public async Task A_broken_release_is_refused_and_nothing_installed_changes(string defect, string message)
    {
        var assets = defect switch
        {
            "binary exits 1" => ReleaseKit.Assets(ReleaseKit.ScriptArchive("1.1.0", versionExitCode: 1)),
            "binary prints another version" => ReleaseKit.Assets(ReleaseKit.ScriptArchive("1.0.9")),
            "archive escapes its folder" => ReleaseKit.Assets(ReleaseKit.Archive(writer => ReleaseKit.AddFile(writer, "../../escaped", "x"u8.ToArray()))),
            "signed by another key" => ReleaseKit.Assets(ReleaseKit.ScriptArchive("1.1.0"), ReleaseKit.OtherKey),
            _ => ReleaseKit.Assets(ReleaseKit.ScriptArchive("1.1.0")),
        };
        var truncated = new HashSet<string>();
        var progress = new HeadersSignal();
        switch (defect)
        {
            case "bad signature":
                assets[ReleaseAssets.Signature] = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01];
                break;
            case "checksum mismatch":
                assets[ReleaseKit.ArchiveName] = ReleaseKit.ScriptArchive("1.1.0-evil");
                break;
            case "no archive for this platform":
                assets.Remove(ReleaseKit.ArchiveName);
                break;
            case "no SHA256SUMS":
                assets.Remove(ReleaseAssets.Sums);
                break;
            case "no signature":
                assets.Remove(ReleaseAssets.Signature);
                break;
            case "truncated download":
                truncated.Add(ReleaseKit.ArchiveName);
                break;
        }

        _github.Publish(new FakeRelease("v1.1.0", false, assets) { Truncated = truncated, CutWhen = progress.Started });
        var updater = CreateUpdater();
        var check = await updater.CheckAsync(false, null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<UpdateException>(() => updater.StageAsync(check.Release!, progress, CancellationToken.None));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        AssertUntouched();
    }

    [Fact]
    public async Task Without_a_built_in_key_nothing_is_applied()
    {
        _github.Publish(new FakeRelease("v1.1.0", false, ReleaseKit.Assets(ReleaseKit.ScriptArchive("1.1.0"))));
        // The test assembly's relay is built without CerverUpdatePublicKey, like a developer build.
        Assert.Null(UpdateTrust.BuiltIn.PublicKey);
        var updater = CreateUpdater(UpdateTrust.BuiltIn);
        var check = await updater.CheckAsync(false, null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<UpdateException>(() => updater.StageAsync(check.Release!, SilentProgress.Instance, CancellationToken.None));

        Assert.Contains("no update signing key built in", error.Message, StringComparison.Ordinal);
        AssertUntouched();
    }

    [Fact]
    public async Task A_used_up_rate_limit_is_explained_and_recorded()
    {
        _github.RateLimited = true;
        var updater = CreateUpdater();

        var error = await Assert.ThrowsAsync<UpdateException>(() => updater.CheckAsync(false, null, CancellationToken.None));

        Assert.Contains("rate limit", error.Message, StringComparison.Ordinal);
        Assert.Contains("60 requests an hour", error.Message, StringComparison.Ordinal);
        Assert.Contains("13:45 UTC", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, updater.State.Read().LastCheckError);
        Assert.NotNull(updater.State.Read().LastCheckAt);
        AssertUntouched();
    }

    [Fact]
    public async Task A_version_that_does_not_come_up_is_rolled_back()
    {
        _github.Publish(new FakeRelease("v1.1.0", false, ReleaseKit.Assets(ReleaseKit.ScriptArchive("1.1.0", runExitCode: 1))));
        var updater = CreateUpdater();
        var check = await updater.CheckAsync(false, null, CancellationToken.None);
        await updater.StageAsync(check.Release!, SilentProgress.Instance, CancellationToken.None);
        var pending = updater.Activate(check.Release!.Version);

        var (confirmed, failure) = await new UpdateTrial(updater, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10))
            .RunAsync(pending, ["run"], new Dictionary<string, string> { ["CERVER_HOME"] = _home.Path }, inheritOutput: false, CancellationToken.None);

        Assert.False(confirmed);
        Assert.Contains("exited with 1 before it came up (cannot start: broken build); rolled back to 1.0.0", failure, StringComparison.Ordinal);
        AssertUntouched();
        var state = updater.State.Read();
        Assert.Null(state.Pending);
        Assert.Equal(("1.1.0", UpdateResult.RolledBack), (state.LastResult!.Version, state.LastResult.Outcome));
    }

    [Fact]
    public async Task A_real_newer_relay_is_applied_comes_up_and_the_oldest_version_is_pruned()
    {
        var (_, archive) = await RealRelayBuild.GetAsync();
        ReleaseKit.InstallScript(_home.Path, "0.9.0");
        ReleaseKit.InstallScript(_home.Path, "1.0.0");
        _github.Publish(new FakeRelease($"v{RealRelayBuild.Version}", false, ReleaseKit.Assets(archive)));
        var updater = CreateUpdater();
        var check = await updater.CheckAsync(false, null, CancellationToken.None);
        await updater.StageAsync(check.Release!, SilentProgress.Instance, CancellationToken.None);
        var pending = updater.Activate(check.Release!.Version);

        var (confirmed, failure) = await new UpdateTrial(updater, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(15)).RunAsync(
            pending,
            ["run"],
            new Dictionary<string, string> { ["CERVER_HOME"] = _home.Path, ["CERVER_RELAY_PORT"] = "0", ["CERVER_ISOLATION"] = "none" },
            inheritOutput: false,
            CancellationToken.None);

        Assert.True(confirmed, failure);
        Assert.Equal(RealRelayBuild.Version, ReleaseKit.LinkedVersion(_home.Path));
        Assert.Equal(RealRelayBuild.Version, await ReleaseKit.RunAsync(Path.Combine(_home.Path, "bin", "cerver-relay"), "version"));
        Assert.Equal(["1.0.0", RealRelayBuild.Version], ReleaseKit.InstalledVersions(_home.Path));
        var state = updater.State.Read();
        Assert.Null(state.Pending);
        Assert.Equal((RealRelayBuild.Version, UpdateResult.Applied), (state.LastResult!.Version, state.LastResult.Outcome));
    }

    private void AssertUntouched()
    {
        Assert.Equal("1.0.0", ReleaseKit.LinkedVersion(_home.Path));
        Assert.Equal(["1.0.0"], ReleaseKit.InstalledVersions(_home.Path));
        Assert.Empty(Directory.GetFiles(Path.Combine(_home.Path, "versions")));
        Assert.False(File.Exists(Path.Combine(_home.Path, "escaped")));
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(_home.Path, "bin")), path => !path.EndsWith("cerver-relay", StringComparison.Ordinal));
    }

    /// <summary>Tells the fake when the archive's headers have arrived.</summary>
    private sealed class HeadersSignal : IDownloadProgress
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public void Start(string name, long? totalBytes) => _started.TrySetResult();

        public void Advance(long receivedBytes)
        {
        }

        public void Finish()
        {
        }
    }
}
