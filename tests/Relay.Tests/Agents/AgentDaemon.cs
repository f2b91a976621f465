using Cerver.Relay.Tests.Infrastructure;
using Cerver.Relay.TestKit.AgentClis;
using Cerver.Relay.TestKit.ModelStandIns;

namespace Cerver.Relay.Tests.Agents;

/// <summary>
/// A real daemon (bubblewrap) that runs the real Claude Code and Codex from the npm cache under
/// this user's home, which every sandbox hides, against loopback stand-ins of their model APIs.
/// The API settings reach the agents through <c>relay/agents.env</c>, as a user would put them.
/// </summary>
public sealed class AgentDaemon : IAsyncDisposable
{
    private AgentDaemon(RelayDaemon daemon, AnthropicStandIn anthropic, ResponsesStandIn openAi)
    {
        Daemon = daemon;
        Anthropic = anthropic;
        OpenAi = openAi;
        Cli = new CerverCliClient(daemon.Client);
    }

    public RelayDaemon Daemon { get; }

    public AnthropicStandIn Anthropic { get; }

    public ResponsesStandIn OpenAi { get; }

    public CerverCliClient Cli { get; }

    public const string AnthropicKey = "sk-ant-test-relay-0123456789";

    public const string OpenAiKey = "sk-openai-test-relay-0123456789";

    public static async Task<AgentDaemon> StartAsync(IReadOnlyDictionary<string, string?>? environment = null, bool writeAgentsEnv = true)
    {
        var claude = await PinnedAgentClis.ClaudeAsync();
        var codex = await PinnedAgentClis.CodexAsync();
        var anthropic = await AnthropicStandIn.StartAsync();
        var openAi = await ResponsesStandIn.StartAsync();
        var variables = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            ["CERVER_AGENT_PATH"] = $"{Path.GetDirectoryName(claude)}:{Path.GetDirectoryName(codex)}",
        };
        var daemon = await RelayDaemon.StartAsync("auto", environment: variables);
        if (writeAgentsEnv)
        {
            File.WriteAllText(Path.Combine(daemon.Settings.Paths.RelayDirectory, "agents.env"),
                $"ANTHROPIC_BASE_URL={anthropic.BaseUrl}\nANTHROPIC_API_KEY={AnthropicKey}\nOPENAI_BASE_URL={openAi.BaseUrl}\nOPENAI_API_KEY={OpenAiKey}\n");
        }

        return new AgentDaemon(daemon, anthropic, openAi);
    }

    /// <summary>Points Claude Code on the relay whose <c>relay</c> folder this is at the stand-in.</summary>
    public static void WriteAnthropicEnv(string relayDirectory, AnthropicStandIn anthropic) =>
        File.WriteAllText(Path.Combine(relayDirectory, "agents.env"), $"ANTHROPIC_BASE_URL={anthropic.BaseUrl}\nANTHROPIC_API_KEY={AnthropicKey}\n");

    public async ValueTask DisposeAsync()
    {
        await Daemon.DisposeAsync();
        await Anthropic.DisposeAsync();
        await OpenAi.DisposeAsync();
    }
}
