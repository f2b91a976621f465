using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cerver.Gateway.Embedded.Accounts;

/// <summary>Deletes expired device codes on a fixed beat, so anonymous logins leave no rows behind for good.</summary>
public sealed partial class DeviceCodeSweeper(DeviceAuthorization devices, IOptions<GatewayOptions> options, TimeProvider time, ILogger<DeviceCodeSweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.DeviceCodeSweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                devices.DeleteExpired();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogSweepFailed(exception);
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "Deleting expired device codes failed; retrying on the next beat")]
    private partial void LogSweepFailed(Exception exception);
}
