using Cerver.Relay.Link;

namespace Cerver.Relay.Tests.Link;

public sealed class ReconnectBackoffTests
{
    [Theory]
    [InlineData(0, 500, 1000)]
    [InlineData(1, 1000, 2000)]
    [InlineData(3, 4000, 8000)]
    [InlineData(6, 30000, 60000)]
    [InlineData(500, 30000, 60000)]
    public void Delays_double_from_one_second_up_to_a_minute_with_half_of_each_random(int failures, double lowestMs, double highestMs)
    {
        Assert.Equal(lowestMs, ReconnectBackoff(0).Delay(failures).TotalMilliseconds, 3);
        Assert.Equal(highestMs, ReconnectBackoff(1).Delay(failures).TotalMilliseconds, 3);
    }

    [Fact]
    public void The_default_spreads_relays_that_lost_the_same_gateway()
    {
        var delays = Enumerable.Range(0, 50).Select(_ => Cerver.Relay.Link.ReconnectBackoff.Default.Delay(4)).Distinct().Count();

        Assert.True(delays > 40, $"only {delays} distinct delays out of 50");
    }

    private static ReconnectBackoff ReconnectBackoff(double random) => new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), () => random);
}
