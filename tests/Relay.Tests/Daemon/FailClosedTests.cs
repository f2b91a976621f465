using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Daemon;

/// <summary>
/// A machine where no sandbox can be made runs nothing until the user chooses: the real
/// executable, started with a PATH that has no bwrap, refuses every sandbox with the fix, and
/// <c>CERVER_ISOLATION=none</c> runs code only when asked for, and says so everywhere.
/// </summary>
public sealed class FailClosedTests
{
    [Fact]
    public async Task Auto_without_bubblewrap_refuses_sandboxes_and_sessions_and_names_the_fix()
    {
        using var home = new TempDirectory("cerver-failclosed");
        using var bin = PathWithout("bwrap");
        using var relay = await RelayProcess.StartAsync(home.Path, environment: new Dictionary<string, string> { ["PATH"] = bin.Path, ["CERVER_ISOLATION"] = "auto" });
        using var client = Client(home.Path, relay.Port);

        using var create = await client.PostAsync("/sandbox", RelayDaemon.Json("{}"));
        var error = JsonNode.Parse(await create.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, create.StatusCode);
        Assert.Equal("isolation_unavailable", error["code"]!.GetValue<string>());
        Assert.Contains("apt-get install bubblewrap", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("CERVER_ISOLATION=none", error["message"]!.GetValue<string>(), StringComparison.Ordinal);

        using var session = await client.PostAsync("/v2/sessions", RelayDaemon.Json("""{"workload": "test"}"""));
        Assert.NotEqual(HttpStatusCode.Created, session.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, session.StatusCode);

        using var list = await client.GetAsync("/sandbox");
        Assert.Empty(JsonNode.Parse(await list.Content.ReadAsStringAsync())!["sandboxes"]!.AsArray());
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(home.Path, "relay", "sandboxes")));

        var status = await RelayProcess.RunCliAsync(home.Path, ["status"], new Dictionary<string, string> { ["CERVER_RELAY_PORT"] = relay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Contains("unavailable", status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Isolation_none_runs_only_when_chosen_and_says_so_in_the_record_status_and_doctor()
    {
        using var home = new TempDirectory("cerver-none");
        var environment = new Dictionary<string, string> { ["CERVER_ISOLATION"] = "none" };
        using var relay = await RelayProcess.StartAsync(home.Path, environment: environment);
        using var client = Client(home.Path, relay.Port);

        using var create = await client.PostAsync("/sandbox", RelayDaemon.Json("{}"));
        var record = JsonNode.Parse(await create.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        Assert.Equal("none", record["isolation"]!.GetValue<string>());

        var withPort = new Dictionary<string, string>(environment) { ["CERVER_RELAY_PORT"] = relay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var status = await RelayProcess.RunCliAsync(home.Path, ["status"], withPort);
        Assert.Contains("not sandboxed", status.Stdout, StringComparison.Ordinal);
        var doctor = await RelayProcess.RunCliAsync(home.Path, ["doctor"], withPort);
        Assert.Contains("CERVER_ISOLATION=none", doctor.Stdout + doctor.Stderr, StringComparison.Ordinal);
        var log = string.Concat(Directory.EnumerateFiles(Path.Combine(home.Path, "relay", "logs")).Select(File.ReadAllText));
        Assert.Contains("not isolated", log, StringComparison.Ordinal);
    }

    /// <summary>A PATH of links to everything in the usual folders but the named program.</summary>
    private static TempDirectory PathWithout(string program)
    {
        var bin = new TempDirectory("cerver-path");
        foreach (var folder in new[] { "/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin" }.Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(folder))
            {
                var link = Path.Combine(bin.Path, Path.GetFileName(file));
                if (Path.GetFileName(file) != program && !File.Exists(link) && !Directory.Exists(link))
                {
                    File.CreateSymbolicLink(link, file);
                }
            }
        }

        return bin;
    }

    private static HttpClient Client(string home, int port)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(home, "relay", "local.token")).Trim());
        return client;
    }
}
