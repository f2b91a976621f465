using Cerver.Relay.Compute.Sandboxes;
using Microsoft.Extensions.Hosting;

namespace Cerver.Relay.Daemon;

/// <summary>
/// On SIGTERM, before Kestrel waits for open requests, the gate stops taking work and gives
/// running work a bounded grace, then kills it, so the wait always ends.
/// </summary>
public sealed class ShutdownDrain(IHostApplicationLifetime lifetime, RunGate gate, RelaySettingsSnapshot settings) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(() => _ = gate.DrainAsync(settings.Value.ShutdownGrace, CancellationToken.None));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
