using Microsoft.Extensions.Hosting;

namespace Cerver.Relay.Daemon;

/// <summary>
/// Hands memory back after a burst. The runtime collects when a process allocates, and an idle
/// daemon allocates almost nothing: after a burst of large requests it would keep its peak
/// for good. Every <see cref="CheckEvery"/>, when more than <see cref="AllocatedThreshold"/>
/// was allocated since the last look and nothing was allocated in between two looks (the
/// burst is over), one aggressive, compacting collection returns the free memory to the system.
/// </summary>
public sealed class MemoryReclaimer(TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(5);

    /// <summary>Less than this is what an idle daemon's own timers allocate in a long while; a collection would not pay.</summary>
    public const long AllocatedThreshold = 32 * 1024 * 1024;

    /// <summary>Allocation between two looks below this counts as idle (heartbeats, sweeps).</summary>
    public const long IdleAllocation = 1024 * 1024;

    private long _collectedAt = GC.GetTotalAllocatedBytes();
    private long _lookedAt = GC.GetTotalAllocatedBytes();

    /// <summary>One look: collects when a burst allocated enough and is over; true when it collected.</summary>
    public bool Look(long allocated)
    {
        var sinceLastLook = allocated - _lookedAt;
        _lookedAt = allocated;
        if (allocated - _collectedAt < AllocatedThreshold || sinceLastLook > IdleAllocation)
        {
            return false;
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        _collectedAt = _lookedAt = GC.GetTotalAllocatedBytes();
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckEvery, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Look(GC.GetTotalAllocatedBytes());
        }
    }
}
