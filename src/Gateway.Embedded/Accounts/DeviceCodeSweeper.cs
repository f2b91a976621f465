using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cerver.Gateway.Embedded.Accounts;

/// <summary>Deletes expired device codes on a fixed beat, so anonymous logins leave no rows behind for good.</summary>
public sealed class DeviceCodeSweeper(DeviceAuthorization devices, IOptions<GatewayOptions> options, TimeProvider time, ILogger<DeviceCodeSweeper> logger)
    : PeriodicSweeper(options.Value.DeviceCodeSweepInterval, time, logger)
{
    protected override string Name => "Deleting expired device codes";

    protected override Task SweepAsync(CancellationToken cancellationToken)
    {
        devices.DeleteExpired();
        return Task.CompletedTask;
    }
}
