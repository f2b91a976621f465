using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cerver.Gateway.Embedded;

/// <summary>Runs one sweep on a fixed beat of the <see cref="TimeProvider"/>; a failed sweep is logged and the next beat tries again.</summary>
public abstract partial class PeriodicSweeper(TimeSpan interval, TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>What the sweep does, for the log.</summary>
    protected abstract string Name { get; }

    protected abstract Task SweepAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogSweepFailed(Name, exception);
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "{Sweep} failed; retrying on the next beat")]
    private partial void LogSweepFailed(string sweep, Exception exception);
}
