using Microsoft.Extensions.Options;

namespace Cerver.Gateway.Embedded.Accounts;

/// <summary>
/// A token bucket for anonymous device authorizations, one per process: a burst of
/// <see cref="GatewayOptions.DeviceStartBurst"/>, then one per <see cref="GatewayOptions.DeviceStartRefill"/>.
/// Time comes from the <see cref="TimeProvider"/>, so tests drive it with a fake clock.
/// </summary>
public sealed class DeviceStartLimiter(IOptions<GatewayOptions> options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private double _tokens = options.Value.DeviceStartBurst;
    private long _refilledAt = time.GetTimestamp();

    /// <summary>Takes a token: null when one was there, else how long until the next one.</summary>
    public TimeSpan? TryTake()
    {
        var settings = options.Value;
        lock (_lock)
        {
            var now = time.GetTimestamp();
            _tokens = Math.Min(settings.DeviceStartBurst, _tokens + (time.GetElapsedTime(_refilledAt, now) / settings.DeviceStartRefill));
            _refilledAt = now;
            if (_tokens >= 1)
            {
                _tokens--;
                return null;
            }

            return (1 - _tokens) * settings.DeviceStartRefill;
        }
    }
}
