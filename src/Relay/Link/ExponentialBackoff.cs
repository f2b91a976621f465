namespace Cerver.Relay.Link;

/// <summary>
/// Delays that double from <paramref name="initial"/> up to <paramref name="cap"/>, each with
/// up to 20 % jitter so that a fleet coming back does not call the gateway in step.
/// </summary>
public sealed class ExponentialBackoff(TimeSpan initial, TimeSpan cap)
{
    private int _failures;

    public TimeSpan Next()
    {
        var exponent = Math.Min(_failures++, 30);
        var delay = Math.Min(initial.TotalMilliseconds * Math.Pow(2, exponent), cap.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(delay * (1 - (Random.Shared.NextDouble() * 0.2)));
    }

    public void Reset() => _failures = 0;
}
