using Cerver.Gateway.Embedded.Http;
using Xunit;

namespace Cerver.Gateway.Embedded.Tests.Http;

public sealed class LargeBodyGateTests
{
    [Fact]
    public async Task A_large_body_waits_until_the_previous_one_is_done_and_small_ones_never_wait()
    {
        var first = await LargeBodyGate.EnterAsync(LargeBodyGate.SmallBodyBytes + 1, CancellationToken.None);
        Assert.NotNull(first);

        var second = LargeBodyGate.EnterAsync(LargeBodyGate.SmallBodyBytes + 1, CancellationToken.None);
        var small = await LargeBodyGate.EnterAsync(1024, CancellationToken.None);
        Assert.NotNull(small);
        Assert.False(second.IsCompleted, "a second large body went in while the first was still held");

        first.Dispose();
        var granted = await second.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(granted);
        granted.Dispose();
        first.Dispose();
    }
}
