namespace Cerver.Relay.Bench;

/// <summary>
/// Wall-clock time in ns since the Unix epoch, the same clock (CLOCK_REALTIME) that
/// <c>date +%s%N</c> reads in a child process, so the two can be subtracted. 100 ns
/// resolution, far below the millisecond scale measured with it.
/// </summary>
internal static class WallClock
{
    public static long NowNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
}
