using Microsoft.Extensions.Hosting;

namespace Cerver.Gateway.Embedded.Sessions.Agents;

/// <summary>
/// At start-up, after this machine's compute is registered: closes turns a stopped daemon left
/// running and restarts waiting inputs. When the daemon begins to stop, no new turn starts, so
/// inputs still waiting are there for the next start instead of failing against the drain.
/// </summary>
public sealed class AgentTurnRecovery(AgentTurns turns, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(turns.StopTakingTurns);
        turns.Recover();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
