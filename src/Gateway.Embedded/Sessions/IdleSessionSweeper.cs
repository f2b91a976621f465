using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cerver.Gateway.Embedded.Sessions;

/// <summary>Ends sessions idle past their timeout and frees their sandboxes, on a fixed beat.</summary>
public sealed partial class IdleSessionSweeper(SessionService sessions, IOptions<GatewayOptions> options, TimeProvider time, ILogger<IdleSessionSweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.IdleSweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await sessions.EndIdleSessionsAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogSweepFailed(exception);
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "Ending idle sessions failed; retrying on the next beat")]
    private partial void LogSweepFailed(Exception exception);
}
