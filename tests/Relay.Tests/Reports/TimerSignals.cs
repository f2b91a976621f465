using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Cerver.Relay.Tests.Reports;

/// <summary>
/// A fake clock that tells when something starts waiting on it, and for how long, so a test moves
/// time exactly when the pump has begun a wait (no sleeps, no races with the pump's own thread).
/// </summary>
public sealed class TimerSignals() : FakeTimeProvider(DateTimeOffset.UtcNow)
{
    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();
    private readonly Lock _lock = new();
    private readonly List<TimeSpan> _waits = [];

    /// <summary>Every wait begun on this clock, in order.</summary>
    public IReadOnlyList<TimeSpan> Waits
    {
        get
        {
            lock (_lock)
            {
                return [.. _waits];
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_lock)
        {
            _waits.Add(dueTime);
        }

        _created.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits until the next wait on this clock has begun (one begun earlier and not yet awaited counts).</summary>
    public async Task NextWaitAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        // Only a guard against a test that would otherwise hang: no result depends on it.
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await _created.Reader.ReadAsync(timeout.Token);
    }
}
