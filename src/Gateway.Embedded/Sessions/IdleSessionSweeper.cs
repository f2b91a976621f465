using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cerver.Gateway.Embedded.Sessions;

/// <summary>Ends sessions idle past their timeout and frees their sandboxes, on a fixed beat.</summary>
public sealed class IdleSessionSweeper(SessionService sessions, IOptions<GatewayOptions> options, TimeProvider time, ILogger<IdleSessionSweeper> logger)
    : PeriodicSweeper(options.Value.IdleSweepInterval, time, logger)
{
    protected override string Name => "Ending idle sessions";

    protected override Task SweepAsync(CancellationToken cancellationToken) => sessions.EndIdleSessionsAsync(cancellationToken);
}
