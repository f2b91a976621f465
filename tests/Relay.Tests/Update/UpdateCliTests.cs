using System.Diagnostics;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Update;

/// <summary>
/// <c>cerver-relay update</c> as users run it: the real relay built with this run's key,
/// installed under a temporary CERVER_HOME, against the loopback GitHub.
/// </summary>
public sealed class UpdateCliTests : IAsyncLifetime
{
    private readonly TempDirectory _home = new("cerver-home");
    private FakeGitHub _github = null!;
    private string _build = null!;
    private int _port;

    private string Binary => Path.Combine(_home.Path, "bin", "cerver-relay");

    private Dictionary<string, string> Environment => new()
    {
        ["CERVER_HOME"] = _home.Path,
        ["CERVER_UPDATE_REPO"] = FakeGitHub.Repository,
        ["CERVER_GITHUB_API_URL"] = _github.ApiUrl.ToString(),
        ["CERVER_RELAY_PORT"] = _port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CERVER_ISOLATION"] = "none",
    };

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _port = RelayProcess.FreePort();
        (_build, _) = await RealRelayBuild.GetAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _github.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task Check_reports_a_newer_release_and_records_when_it_looked()
    {
        ReleaseKit.InstallDirectory(_home.Path, RealRelayBuild.Version, _build);
        _github.Publish(new FakeRelease("v2.1.0", false, ReleaseKit.Assets(ReleaseKit.ScriptArchive("2.1.0"))));

        var (exitCode, stdout, stderr) = await ReleaseKit.RunAsync(Binary, ["update", "--check"], Environment);

        Assert.True(exitCode == 10, stderr);
        Assert.Contains("Installed: 2.0.0. 2.1.0 (v2.1.0) is available", stdout, StringComparison.Ordinal);
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(_home.Path, "relay", "update.json")))!;
        Assert.Equal("2.1.0", state["available"]!.GetValue<string>());
        Assert.NotNull(state["last_check_at"]);
    }

    [Fact]
    public async Task A_release_signed_by_another_key_is_refused_by_the_built_in_key()
    {
        ReleaseKit.InstallDirectory(_home.Path, RealRelayBuild.Version, _build);
        _github.Publish(new FakeRelease("v3.0.0", false, ReleaseKit.Assets(ReleaseKit.ScriptArchive("3.0.0", runExitCode: 0), ReleaseKit.OtherKey)));

        var (exitCode, _, stderr) = await ReleaseKit.RunAsync(Binary, ["update"], Environment);

        Assert.Equal(1, exitCode);
        Assert.Contains("does not verify against this relay's signing key", stderr, StringComparison.Ordinal);
        Assert.Equal(RealRelayBuild.Version, ReleaseKit.LinkedVersion(_home.Path));
        Assert.Equal([RealRelayBuild.Version], ReleaseKit.InstalledVersions(_home.Path));
    }

    [Fact]
    public async Task Without_a_daemon_a_version_that_does_not_come_up_is_rolled_back()
    {
        ReleaseKit.InstallDirectory(_home.Path, RealRelayBuild.Version, _build);
        _github.Publish(new FakeRelease("v3.0.0", false, ReleaseKit.Assets(ReleaseKit.ScriptArchive("3.0.0", runExitCode: 1))));

        var (exitCode, stdout, stderr) = await ReleaseKit.RunAsync(Binary, ["update"], Environment);

        Assert.Equal(1, exitCode);
        Assert.Contains("Signature and checksum verified; 3.0.0 answers 'cerver-relay version'.", stdout, StringComparison.Ordinal);
        Assert.Contains("version 3.0.0 exited with 1 before it came up", stderr, StringComparison.Ordinal);
        Assert.Contains("rolled back to 2.0.0", stderr, StringComparison.Ordinal);
        Assert.Equal(RealRelayBuild.Version, ReleaseKit.LinkedVersion(_home.Path));
        Assert.Equal([RealRelayBuild.Version], ReleaseKit.InstalledVersions(_home.Path));
        Assert.Equal(RealRelayBuild.Version, await ReleaseKit.RunAsync(Binary, "version"));
    }

    /// <summary>
    /// The whole hand-over under a service manager (here a restart loop, as systemd's
    /// Restart=always is): the daemon swaps, drains, proves the new version and exits; the loop
    /// restarts the link. Only one real version is built per run, so the running relay is that
    /// build installed under the folder name 1.9.0 (what the updater compares by) and the release
    /// is the same build as 2.0.0, which confirms itself by its own stamped version.
    /// </summary>
    [Fact]
    public async Task A_service_daemon_hands_over_to_the_new_version_and_comes_back_on_it()
    {
        ReleaseKit.InstallDirectory(_home.Path, "1.9.0", _build);
        var (_, archive) = await RealRelayBuild.GetAsync();
        _github.Publish(new FakeRelease($"v{RealRelayBuild.Version}", false, ReleaseKit.Assets(archive)));
        await using var supervisor = Supervisor.Start(Binary, Environment);
        await Supervisor.WaitForHealthAsync(_port);

        var (exitCode, stdout, stderr) = await ReleaseKit.RunAsync(Binary, ["update"], Environment);

        Assert.True(exitCode == 0, stdout + stderr);
        Assert.Contains("The service is draining running work and restarting on the new version", stdout, StringComparison.Ordinal);
        Assert.Contains("Updated to 2.0.0; 1.9.0 is kept for rollback.", stdout, StringComparison.Ordinal);
        Assert.Equal(RealRelayBuild.Version, ReleaseKit.LinkedVersion(_home.Path));
        Assert.Equal(["1.9.0", RealRelayBuild.Version], ReleaseKit.InstalledVersions(_home.Path));
        await supervisor.WaitForStartsAsync(2);
        Assert.Equal([0], supervisor.ExitCodes);
        await Supervisor.WaitForHealthAsync(_port);
        var status = await ReleaseKit.RunAsync(Binary, ["status", "--json"], Environment);
        var update = JsonNode.Parse(status.Stdout)!["update"]!;
        Assert.Equal("applied", update["last_result"]!["outcome"]!.GetValue<string>());
        Assert.Equal("2.0.0", update["last_result"]!["version"]!.GetValue<string>());
        Assert.Equal("test-supervisor", update["service"]!.GetValue<string>());
        Assert.Null(update["pending"]);
    }

    /// <summary>A minimal service manager: runs <c>bin/cerver-relay run</c> and starts it again whenever it exits.</summary>
    private sealed class Supervisor : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private Process? _current;
        private int _starts;

        /// <summary>How each run of the daemon ended: a hand-over exits 0 after its trial.</summary>
        public System.Collections.Concurrent.ConcurrentQueue<int> ExitCodes { get; } = new();

        private Supervisor(string binary, IDictionary<string, string> environment) => _loop = Task.Run(() => LoopAsync(binary, environment));

        public static Supervisor Start(string binary, IDictionary<string, string> environment) => new(binary, environment);

        public async Task WaitForStartsAsync(int count)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (Volatile.Read(ref _starts) < count)
            {
                await Task.Delay(100, limit.Token);
            }
        }

        public static async Task WaitForHealthAsync(int port)
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (true)
            {
                try
                {
                    using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"), limit.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException || (exception is TaskCanceledException && !limit.IsCancellationRequested))
                {
                    // Between two runs of the daemon, or one that is stopping.
                }

                await Task.Delay(100, limit.Token);
            }
        }

        private async Task LoopAsync(string binary, IDictionary<string, string> environment)
        {
            while (!_stop.IsCancellationRequested)
            {
                var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
                info.ArgumentList.Add("run");
                foreach (var (name, value) in environment)
                {
                    info.Environment[name] = value;
                }

                info.Environment["CERVER_SERVICE"] = "test-supervisor";
                using var process = Process.Start(info)!;
                _current = process;
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                Interlocked.Increment(ref _starts);
                await process.WaitForExitAsync(CancellationToken.None);
                ExitCodes.Enqueue(process.ExitCode);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_current is { HasExited: false } process)
            {
                process.Kill(entireProcessTree: true);
            }

            await _loop;
            _stop.Dispose();
        }
    }
}
