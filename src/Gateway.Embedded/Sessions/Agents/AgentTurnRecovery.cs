using Microsoft.Extensions.Hosting;

namespace Cerver.Gateway.Embedded.Sessions.Agents;

/// <summary>At start-up, after this machine's compute is registered: closes turns a stopped daemon left running and restarts waiting inputs.</summary>
public sealed class AgentTurnRecovery(AgentTurns turns) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        turns.Recover();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
