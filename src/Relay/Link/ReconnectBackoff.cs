namespace Cerver.Relay.Link;

/// <summary>
/// How long to wait before the next dial: exponential from one second, capped, with "equal
/// jitter" (half fixed, half random) so a gateway that comes back is not hit by every relay
/// of a fleet in the same second, yet no relay retries in a tight loop.
/// </summary>
public sealed class ReconnectBackoff(TimeSpan initial, TimeSpan cap, Func<double> random)
{
    public static ReconnectBackoff Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), Random.Shared.NextDouble);

    public TimeSpan Delay(int failedAttempts)
    {
        var exponential = initial.TotalMilliseconds * Math.Pow(2, Math.Min(failedAttempts, 30));
        var ceiling = Math.Min(cap.TotalMilliseconds, exponential);
        return TimeSpan.FromMilliseconds((ceiling / 2) + (random() * ceiling / 2));
    }
}
