namespace Cerver.Relay.Cli;

/// <summary>
/// Shows that a verb is still waiting and how long is left. On a terminal, one line rewritten
/// every second ("waiting for approval… 9:41 left"); in a pipe or a log, a line each time the
/// minutes left go down, so the output stays short. Stops when disposed.
/// </summary>
public sealed class WaitingLine : IDisposable
{
    private readonly ITimer _timer;
    private readonly DateTimeOffset _deadline;
    private readonly TimeProvider _time;
    private readonly TextWriter _output;
    private readonly bool _redirected;
    private readonly Lock _lock = new();
    private long _minutesShown;
    private bool _drawn;
    private bool _disposed;

    public WaitingLine(TimeProvider time, TimeSpan left, TextWriter output, bool redirected)
    {
        _time = time;
        _output = output;
        _redirected = redirected;
        _deadline = time.GetUtcNow() + left;
        _minutesShown = MinutesLeft(left);
        _timer = time.CreateTimer(_ => Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Whole minutes left, rounded up: 9:01 is "10 min left", 9:00 is "9 min left".</summary>
    public static long MinutesLeft(TimeSpan left) => (long)Math.Ceiling(Math.Max(0, left.TotalSeconds) / 60);

    public void Dispose()
    {
        _timer.Dispose();
        lock (_lock)
        {
            _disposed = true;
            if (_drawn)
            {
                // Leave the terminal's cursor at the start of a clean line.
                _output.Write("\r\u001b[K");
            }
        }
    }

    private void Tick()
    {
        var left = _deadline - _time.GetUtcNow();
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            if (!_redirected)
            {
                var remaining = left < TimeSpan.Zero ? TimeSpan.Zero : left;
                _output.Write($"\r\u001b[Kwaiting for approval… {(int)remaining.TotalMinutes}:{remaining.Seconds:00} left");
                _output.Flush();
                _drawn = true;
                return;
            }

            var minutes = MinutesLeft(left);
            if (minutes < _minutesShown && minutes > 0)
            {
                _minutesShown = minutes;
                _output.WriteLine($"still waiting for approval, {minutes} min left");
                _output.Flush();
            }
        }
    }
}
