using Cerver.Relay.Cli;
using Microsoft.Extensions.Time.Testing;

namespace Cerver.Relay.Tests.Cli;

/// <summary>Issue 12, item 7: <c>login</c> shows that it is waiting and how long is left.</summary>
public sealed class WaitingLineTests
{
    [Fact]
    public void In_a_pipe_a_line_each_time_the_minutes_left_go_down()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-06T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var output = new StringWriter();
        using var waiting = new WaitingLine(time, TimeSpan.FromSeconds(150), output, redirected: true);

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("", output.ToString()); // 2:01 left: still "3 min" rounded up, as the start line said
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("still waiting for approval, 2 min left\n", output.ToString().ReplaceLineEndings("\n"));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("still waiting for approval, 2 min left\n", output.ToString().ReplaceLineEndings("\n"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("still waiting for approval, 2 min left\nstill waiting for approval, 1 min left\n", output.ToString().ReplaceLineEndings("\n"));
        time.Advance(TimeSpan.FromSeconds(120));
        Assert.DoesNotContain("0 min left", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', output.ToString());
    }

    [Fact]
    public void On_a_terminal_one_line_counts_down_every_second_and_is_cleared_at_the_end()
    {
        var time = new FakeTimeProvider();
        using var output = new StringWriter();
        var waiting = new WaitingLine(time, TimeSpan.FromMinutes(10), output, redirected: false);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("\r\u001b[Kwaiting for approval… 9:59 left", output.ToString());
        time.Advance(TimeSpan.FromSeconds(19));
        Assert.EndsWith("\r\u001b[Kwaiting for approval… 9:40 left", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\n', output.ToString());
        waiting.Dispose();
        var final = output.ToString();
        Assert.EndsWith("\r\u001b[K", final, StringComparison.Ordinal);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(final, output.ToString());
    }

    [Theory]
    [InlineData(600, 10)]
    [InlineData(541, 10)]
    [InlineData(540, 9)]
    [InlineData(1, 1)]
    [InlineData(0, 0)]
    [InlineData(-5, 0)]
    public void Minutes_left_round_up(int seconds, long minutes) =>
        Assert.Equal(minutes, WaitingLine.MinutesLeft(TimeSpan.FromSeconds(seconds)));
}
