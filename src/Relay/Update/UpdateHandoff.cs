using Cerver.Relay.Compute.Sandboxes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cerver.Relay.Update;

/// <summary>
/// A daemon's side of applying an update: swap the link, refuse new work (503), give running
/// work its grace, then stop the host. <c>run</c> sees <see cref="Pending"/> once the host has
/// stopped and proves the new version before exiting for the service manager to restart it.
/// </summary>
public sealed partial class UpdateHandoff(Updater updater, RunGate gate, IHostApplicationLifetime lifetime, ILogger<UpdateHandoff> logger)
{
    private readonly Lock _lock = new();

    public PendingUpdate? Pending { get; private set; }

    public PendingUpdate Begin(SemanticVersion version, TimeSpan grace)
    {
        lock (_lock)
        {
            if (Pending is not null)
            {
                throw new UpdateException($"an update to {Pending.Version} is already under way.");
            }

            Pending = updater.Activate(version);
        }

        LogHandingOver(Pending.Previous, Pending.Version);
        _ = Task.Run(async () =>
        {
            await gate.DrainAsync(grace, CancellationToken.None);
            lifetime.StopApplication();
        });
        return Pending;
    }

    [LoggerMessage(LogLevel.Information, "Updating from {Previous} to {Version}: draining running work, then restarting")]
    private partial void LogHandingOver(string? previous, string version);
}
