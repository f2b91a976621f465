using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Cli;

/// <summary>
/// <c>update --check</c> as scripts use it, and <c>status</c> saying why updates are off: the
/// build's binary against the loopback GitHub, with an installed version linked under a temporary home.
/// </summary>
public sealed class UpdateCheckTests : IAsyncLifetime
{
    private const string Installed = "1.0.0";

    private readonly TempDirectory _home = new("cerver-home");
    private FakeGitHub _github = null!;

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        // update --check compares with the version bin/cerver-relay links to; it never runs it.
        Directory.CreateDirectory(Path.Combine(_home.Path, "versions", Installed));
        Directory.CreateDirectory(Path.Combine(_home.Path, "bin"));
        File.CreateSymbolicLink(Path.Combine(_home.Path, "bin", "cerver-relay"), $"../versions/{Installed}/cerver-relay");
    }

    public async ValueTask DisposeAsync()
    {
        await _github.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task Check_exits_10_when_a_newer_release_exists_and_0_when_up_to_date_with_json_for_scripts()
    {
        _github.Publish(new FakeRelease("v0.9.0", false, new Dictionary<string, byte[]>()));
        var current = await CheckAsync(Repository(_github.ApiUrl.ToString()));
        Assert.True(current.ExitCode == 0, current.Stderr);
        var upToDate = JsonNode.Parse(current.Stdout)!;
        Assert.False(upToDate["update_available"]!.GetValue<bool>());
        Assert.Equal(Installed, upToDate["installed"]!.GetValue<string>());
        Assert.Equal("0.9.0", upToDate["latest"]!.GetValue<string>());

        _github.Publish(new FakeRelease("v1.2.0", false, new Dictionary<string, byte[]>()));
        var newer = await CheckAsync(Repository(_github.ApiUrl.ToString()));
        Assert.True(newer.ExitCode == 10, newer.Stderr);
        var available = JsonNode.Parse(newer.Stdout)!;
        Assert.True(available["update_available"]!.GetValue<bool>());
        Assert.Equal("1.2.0", available["latest"]!.GetValue<string>());
        Assert.Equal("v1.2.0", available["tag"]!.GetValue<string>());
        Assert.Equal(FakeGitHub.Repository, available["repository"]!.GetValue<string>());

        var human = await RelayProcess.RunCliAsync(_home.Path, ["update", "--check"], Repository(_github.ApiUrl.ToString()));
        Assert.Equal(10, human.ExitCode);
        Assert.Contains("1.2.0 (v1.2.0) is available", human.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_github_that_never_answers_ends_the_check_with_the_host_named_and_exit_8()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var host = $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";

        var check = await CheckAsync(Repository($"http://{host}/"));

        Assert.Equal(8, check.ExitCode);
        Assert.Equal("", check.Stdout);
        var line = Assert.Single(check.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{host} did not answer within", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_repository_the_check_says_there_is_nowhere_to_look_and_exits_4()
    {
        var check = await CheckAsync(new Dictionary<string, string>());

        Assert.Equal(4, check.ExitCode);
        Assert.Contains("CERVER_UPDATE_REPO is not set, so there is nowhere to look for releases", check.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "no release repository")]
    [InlineData("0", "CERVER_AUTO_UPDATE=0")]
    public async Task Status_says_why_updates_are_off(string? autoUpdate, string reason)
    {
        var environment = new Dictionary<string, string> { ["CERVER_ISOLATION"] = "none" };
        if (autoUpdate is not null)
        {
            environment["CERVER_AUTO_UPDATE"] = autoUpdate;
            environment["CERVER_UPDATE_REPO"] = FakeGitHub.Repository;
        }

        using var relay = await RelayProcess.StartAsync(_home.Path, environment: environment);
        var status = await RelayProcess.RunCliAsync(_home.Path, ["status", "--json"], environment);

        Assert.Equal(0, status.ExitCode);
        Assert.Contains(reason, JsonNode.Parse(status.Stdout)!["update"]!["off_reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_has_no_off_reason_when_a_repository_is_set()
    {
        var environment = new Dictionary<string, string> { ["CERVER_ISOLATION"] = "none", ["CERVER_UPDATE_REPO"] = FakeGitHub.Repository, ["CERVER_GITHUB_API_URL"] = _github.ApiUrl.ToString() };
        using var relay = await RelayProcess.StartAsync(_home.Path, environment: environment);

        var status = await RelayProcess.RunCliAsync(_home.Path, ["status", "--json"], environment);

        Assert.Equal(0, status.ExitCode);
        var update = JsonNode.Parse(status.Stdout)!["update"]!;
        Assert.Null(update["off_reason"]);
        Assert.Equal(FakeGitHub.Repository, update["repository"]!.GetValue<string>());
    }

    private static Dictionary<string, string> Repository(string apiUrl) => new()
    {
        ["CERVER_UPDATE_REPO"] = FakeGitHub.Repository,
        ["CERVER_GITHUB_API_URL"] = apiUrl,
    };

    private Task<ChildProcess.Result> CheckAsync(Dictionary<string, string> environment) =>
        RelayProcess.RunCliAsync(_home.Path, ["update", "--check", "--json"], environment);
}
