using Cerver.Gateway.Embedded.Fleet;
using Cerver.Relay.TestKit.AgentClis;
using Cerver.Relay.TestKit.ModelStandIns;
using Cerver.Relay.Tests.Infrastructure;
using Cerver.Relay.Tests.Link;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Tests.Agents;

/// <summary>
/// Relay A and relay B linked to it, B able to run the real Claude Code against a loopback
/// Messages API; A too when asked. The API settings reach the agents through
/// <c>relay/agents.env</c>, as a user would put them. Started once B's compute is in A's registry.
/// </summary>
public sealed class LinkedAgentRelays : IAsyncDisposable
{
    private LinkedAgentRelays(AnthropicStandIn anthropic, RelayDaemon a, RelayDaemon b, string linkedId)
    {
        Anthropic = anthropic;
        A = a;
        B = b;
        LinkedId = linkedId;
        Cli = new CerverCliClient(a.Client);
    }

    public AnthropicStandIn Anthropic { get; }

    /// <summary>The gateway the tests talk to.</summary>
    public RelayDaemon A { get; }

    /// <summary>The relay dialled in to A.</summary>
    public RelayDaemon B { get; }

    /// <summary>B's compute id on A.</summary>
    public string LinkedId { get; }

    /// <summary>The <c>cerver</c> CLI's calls, to A.</summary>
    public CerverCliClient Cli { get; }

    /// <param name="agentsOnA">Whether A can run agents itself; without it, an agent runs only where A sends it.</param>
    public static async Task<LinkedAgentRelays> StartAsync(string accountKey, bool agentsOnA)
    {
        var claude = await PinnedAgentClis.ClaudeAsync();
        var agentPath = new Dictionary<string, string?> { ["CERVER_AGENT_PATH"] = Path.GetDirectoryName(claude) };
        var anthropic = await AnthropicStandIn.StartAsync();
        RelayDaemon? a = null;
        RelayDaemon? b = null;
        try
        {
            a = await RelayDaemon.StartAsync("auto", apiKey: accountKey, environment: agentsOnA ? agentPath : null);
            if (agentsOnA)
            {
                AgentDaemon.WriteAnthropicEnv(a.Settings.Paths.RelayDirectory, anthropic);
            }

            (b, var linkedId) = await LinkFixtures.StartLinkedAsync(a, accountKey, environment: agentPath);
            AgentDaemon.WriteAnthropicEnv(b.Settings.Paths.RelayDirectory, anthropic);
            return new LinkedAgentRelays(anthropic, a, b, linkedId);
        }
        catch
        {
            if (b is not null)
            {
                await b.DisposeAsync();
            }

            if (a is not null)
            {
                await a.DisposeAsync();
            }

            await anthropic.DisposeAsync();
            throw;
        }
    }

    /// <summary>The sandbox a session holds, as A's gateway records it.</summary>
    public async Task<string> SandboxOfAsync(string session)
    {
        using var response = await A.Client.GetAsync($"/gateway/sessions/{session}");
        return (await RelayDaemon.ReadJsonAsync(response, 200))["sandbox_id"]!.GetValue<string>();
    }

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        await Anthropic.DisposeAsync();
    }
}
