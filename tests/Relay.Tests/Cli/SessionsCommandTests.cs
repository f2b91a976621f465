using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Cli;

public sealed class SessionsCommandTests
{
    [Fact]
    public async Task List_show_and_export_read_sessions_through_the_daemon()
    {
        using var home = new TempDirectory("cerver-home");
        using var relay = await RelayProcess.StartAsync(home.Path);
        var env = new Dictionary<string, string> { ["CERVER_RELAY_PORT"] = relay.Port.ToString(CultureInfo.InvariantCulture) };
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{relay.Port}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(home.Path, "relay", "local.token")).Trim());
        var id = (await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync("/gateway/sessions", new { session_name = "cli-check" }), 200))["session_id"]!.GetValue<string>();
        await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync($"/gateway/sessions/{id}/input", new { role = "user", content = "please list files" }), 200);
        await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync($"/gateway/sessions/{id}/run", new { code = "echo listed" }), 200);

        var list = await RelayProcess.RunCliAsync(home.Path, ["sessions", "list"], env);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(id, list.Stdout, StringComparison.Ordinal);
        Assert.Contains("cli-check", list.Stdout, StringComparison.Ordinal);

        var listJson = await RelayProcess.RunCliAsync(home.Path, ["sessions", "list", "--json"], env);
        Assert.Equal(id, JsonNode.Parse(listJson.Stdout)!["sessions"]![0]!["sessionId"]!.GetValue<string>());

        var show = await RelayProcess.RunCliAsync(home.Path, ["sessions", "show", id], env);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("status      idle", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("user: please list files", show.Stdout, StringComparison.Ordinal);

        var export = await RelayProcess.RunCliAsync(home.Path, ["sessions", "export", id], env);
        Assert.Equal(0, export.ExitCode);
        // The same plain text as the MCP tool cerver_session_export: a header line per entry, then its content.
        var lines = export.Stdout.Split('\n');
        Assert.StartsWith($"# session {id} (idle), 3 entries\n", export.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"^#1 user/message \d{4}-\d\d-\d\dT", lines[2]);
        Assert.Equal("please list files", lines[3]);
        Assert.Contains(lines, line => line.StartsWith("#2 assistant/tool_use ", StringComparison.Ordinal));
        Assert.Contains("echo listed", lines);
        Assert.Contains(lines, line => line.StartsWith("#3 tool/tool_result ", StringComparison.Ordinal));

        var missing = await RelayProcess.RunCliAsync(home.Path, ["sessions", "show", "ses_unknown"], env);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("No session 'ses_unknown'", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sessions_says_the_daemon_is_not_running_with_exit_3()
    {
        using var home = new TempDirectory("cerver-home");
        var env = new Dictionary<string, string> { ["CERVER_RELAY_PORT"] = RelayProcess.FreePort().ToString(CultureInfo.InvariantCulture) };
        var list = await RelayProcess.RunCliAsync(home.Path, ["sessions", "list"], env);
        Assert.Equal(3, list.ExitCode);
        Assert.Contains("no relay answers", list.Stderr, StringComparison.Ordinal);
    }
}
