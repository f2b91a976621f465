using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cerver.Relay.Tests.Infrastructure;
using Cerver.Relay.TestKit.AgentClis;
using Cerver.Relay.TestKit.ModelStandIns;

namespace Cerver.Relay.Tests.Agents;

/// <summary><c>cerver-relay sessions</c> against a real daemon process running a real Claude Code turn.</summary>
public sealed partial class AgentCliVerbTests
{
    [Fact]
    public async Task Show_follow_streams_a_live_turn_and_list_shows_agent_model_and_usage()
    {
        var claude = await PinnedAgentClis.ClaudeAsync();
        await using var anthropic = await AnthropicStandIn.StartAsync();
        using var home = new TempDirectory("cerver-home");
        AgentDaemon.WriteAnthropicEnv(Directory.CreateDirectory(Path.Combine(home.Path, "relay")).FullName, anthropic);
        using var relay = await RelayProcess.StartAsync(home.Path, environment: new Dictionary<string, string> { ["CERVER_AGENT_PATH"] = Path.GetDirectoryName(claude)! });
        var env = new Dictionary<string, string> { ["CERVER_RELAY_PORT"] = relay.Port.ToString(CultureInfo.InvariantCulture) };
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{relay.Port}") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(home.Path, "relay", "local.token")).Trim());
        var cli = new CerverCliClient(http);
        var session = await cli.CreateSessionAsync("claude", await cli.ReadyComputeAsync(), "follow", new JsonObject { ["complete_on_exit"] = true });

        using var follow = RelayProcess.StartCli(home.Path, ["sessions", "show", session, "--follow"], env);
        await follow.WaitForOutputAsync(AgentLine(), TimeSpan.FromSeconds(60));
        await cli.SendAsync(session, "follow me");

        await follow.WaitForOutputAsync(Ended(), TimeSpan.FromMinutes(2));
        Assert.Equal(0, await follow.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("user: follow me", follow.Stdout, StringComparison.Ordinal);
        Assert.Contains("assistant text: echo: follow me", follow.Stdout, StringComparison.Ordinal);
        Assert.Contains("system session_completed", follow.Stdout, StringComparison.Ordinal);

        var list = await RelayProcess.RunCliAsync(home.Path, ["sessions", "list"], env);
        var row = list.Stdout.Split('\n').Single(line => line.StartsWith(session, StringComparison.Ordinal));
        Assert.Matches(@"terminated\s+claude\s+" + Regex.Escape(AnthropicStandIn.Model) + @"\s+1\s+\d+", row);
    }

    [GeneratedRegex(@"agent\s+claude")]
    private static partial Regex AgentLine();

    [GeneratedRegex("-- session terminated")]
    private static partial Regex Ended();
}
