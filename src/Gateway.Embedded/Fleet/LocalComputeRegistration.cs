using Cerver.Gateway.Embedded.Routing;
using Cerver.Relay.Compute.Runtimes;
using Cerver.Relay.Compute.Sandboxes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Cerver.Gateway.Embedded.Fleet;

/// <summary>Puts this machine into the registry at start-up, described by what is really installed.</summary>
public sealed class LocalComputeRegistration(
    ComputeRegistry registry,
    LocalCompute compute,
    RuntimeLocator runtimes,
    IOptions<GatewayOptions> gatewayOptions,
    TimeProvider time) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var found = await runtimes.GetAsync();
        var description = new ExecutableCompute(compute.ComputeId, Environment.MachineName, ComputeKind.Local, ComputeLanguages.From(found.Keys), ComputeStatus.Online)
        {
            Cost = new CostModel(gatewayOptions.Value.LocalCostPerMinuteUsd, 0),
        };
        registry.Register(new RegisteredCompute(compute, description, compute.IsolationName, time.GetUtcNow()));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
