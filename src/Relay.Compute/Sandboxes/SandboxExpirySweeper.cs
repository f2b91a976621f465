using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cerver.Relay.Compute.Sandboxes;

/// <summary>Cleans up after a crash at start-up, then deletes expired sandboxes on a fixed beat.</summary>
public sealed partial class SandboxExpirySweeper(
    LocalCompute compute,
    IOptions<ComputeOptions> options,
    TimeProvider time,
    ILogger<SandboxExpirySweeper> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        compute.CleanUpAfterRestart();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                compute.DeleteExpired();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogSweepFailed(exception);
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "Sweeping expired sandboxes failed; retrying on the next beat")]
    private partial void LogSweepFailed(Exception exception);
}
