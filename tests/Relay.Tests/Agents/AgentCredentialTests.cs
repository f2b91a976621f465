using System.Net.Http.Json;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Turns;
using Cerver.Relay.Tests.Infrastructure;
using Cerver.Relay.TestKit.AgentClis;
using Cerver.Relay.TestKit.ModelStandIns;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Tests.Agents;

/// <summary>A subscription login reaches its own agent's turns, owner-only, and nothing else in the sandbox.</summary>
public sealed class AgentCredentialTests
{
    private const string Login = """{"claudeAiOauth":{"accessToken":"sk-ant-oat-subscription-login-4242"}}""";

    [Fact]
    public async Task The_login_file_reaches_the_agent_but_not_a_plain_run()
    {
        var claude = await PinnedAgentClis.ClaudeAsync();
        await using var anthropic = await AnthropicStandIn.StartAsync();
        using var userHome = new TempDirectory("user-home");
        Directory.CreateDirectory(Path.Combine(userHome.Path, ".claude"));
        File.WriteAllText(Path.Combine(userHome.Path, ".claude", ".credentials.json"), Login);
        await using var daemon = await RelayDaemon.StartAsync("auto", services: services =>
            services.AddSingleton(provider => new AgentServices(
                provider.GetRequiredService<AgentHarnesses>(), new AgentCliLocator(Path.GetDirectoryName(claude), userHome.Path),
                new AgentCredentials(Path.Combine(userHome.Path, "agents.env"), userHome.Path, name => name switch
                {
                    "ANTHROPIC_BASE_URL" => anthropic.BaseUrl,
                    "ANTHROPIC_API_KEY" => AgentDaemon.AnthropicKey,
                    _ => null,
                }),
                provider.GetRequiredService<AgentTurnSlots>())));
        var cli = new CerverCliClient(daemon.Client);
        var session = await cli.CreateSessionAsync("claude", await cli.ReadyComputeAsync(), "login");

        await cli.SendAsync(session, "[[bash: cat \"$CLAUDE_CONFIG_DIR/.credentials.json\"]]");
        var (entries, _) = await cli.WaitForCompletionAsync(session);

        var result = entries.Single(entry => entry["kind"]!.GetValue<string>() == "tool_result");
        Assert.Contains("sk-ant-oat-subscription-login-4242", result["content"]!.GetValue<string>(), StringComparison.Ordinal);
        using var detail = await daemon.Client.GetAsync($"/gateway/sessions/{session}");
        var sandbox = (await RelayDaemon.ReadJsonAsync(detail, 200))["sandbox_id"]!.GetValue<string>();
        var copied = Path.Combine(daemon.WorkspaceOf(sandbox) + ".agent", "claude", ".credentials.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(copied));

        using var run = await daemon.Client.PostAsJsonAsync($"/gateway/sessions/{session}/run", new
        {
            code = "find / -name .credentials.json 2>/dev/null | head -1; echo done",
            timeout = 120,
        });
        var output = (await RelayDaemon.ReadJsonAsync(run, 200))["result"]!["stdout"]!.GetValue<string>();
        Assert.Equal("done\n", output);

        // The agent owns its state folder: a link it plants where the login goes must not lead
        // the daemon's next copy out of the folder.
        var victim = Path.Combine(userHome.Path, "victim.txt");
        File.WriteAllText(victim, "untouched");
        await cli.SendAsync(session, $"[[bash: ln -sf {victim} \"$CLAUDE_CONFIG_DIR/.credentials.json\"]]");
        var (_, total) = await cli.WaitForCompletionAsync(session, completions: 2);
        Assert.NotNull(File.ResolveLinkTarget(copied, returnFinalTarget: false));
        await cli.SendAsync(session, "next turn");
        await cli.WaitForCompletionAsync(session, since: total);

        Assert.Equal("untouched", File.ReadAllText(victim));
        Assert.Null(File.ResolveLinkTarget(copied, returnFinalTarget: false));
        Assert.Equal(Login, File.ReadAllText(copied));
    }
}
