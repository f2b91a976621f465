using Microsoft.Extensions.Hosting;

namespace Cerver.Gateway.Embedded.Provider;

/// <summary>At start-up, after this machine's compute is registered: closes the provider turns a relay that died left running.</summary>
public sealed class ProviderTurnRecovery(ProviderAgents agents) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => agents.RecoverAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
