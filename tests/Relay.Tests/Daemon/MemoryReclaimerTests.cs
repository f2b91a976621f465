using Cerver.Relay.Daemon;
using Microsoft.Extensions.Time.Testing;

namespace Cerver.Relay.Tests.Daemon;

/// <summary>The reclaimer collects once a burst that allocated enough is over, and not while it lasts or for small change.</summary>
public sealed class MemoryReclaimerTests
{
    [Fact]
    public void It_collects_only_after_a_large_burst_has_ended()
    {
        var reclaimer = new MemoryReclaimer(new FakeTimeProvider());
        var start = GC.GetTotalAllocatedBytes();

        Assert.False(reclaimer.Look(start + (MemoryReclaimer.AllocatedThreshold / 2)));
        Assert.False(reclaimer.Look(start + (2 * MemoryReclaimer.AllocatedThreshold)));
        Assert.True(reclaimer.Look(start + (2 * MemoryReclaimer.AllocatedThreshold) + 1));
    }

    [Fact]
    public void Idle_allocation_below_the_threshold_never_collects()
    {
        var reclaimer = new MemoryReclaimer(new FakeTimeProvider());
        var allocated = GC.GetTotalAllocatedBytes();
        for (var look = 0; look < 20; look++)
        {
            allocated += MemoryReclaimer.IdleAllocation / 2;
            Assert.False(reclaimer.Look(allocated));
        }
    }
}
