namespace Cerver.Relay.Compute.Agents.Turns;

/// <summary>
/// Fires when a turn has printed nothing for its stall time: a CLI waiting on a prompt nobody
/// will answer, or on a model endpoint that never replies. Every byte of output re-arms it.
/// </summary>
internal sealed class StallWatchdog : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly TimeSpan _stallAfter;

    public StallWatchdog(TimeSpan stallAfter, TimeProvider time)
    {
        _stallAfter = stallAfter;
        _source = new CancellationTokenSource(stallAfter, time);
    }

    public CancellationToken Token => _source.Token;

    public bool Fired => _source.IsCancellationRequested;

    public void Touch()
    {
        try
        {
            if (!_source.IsCancellationRequested)
            {
                _source.CancelAfter(_stallAfter);
            }
        }
        catch (ObjectDisposedException)
        {
            // Output that arrives while the turn is being torn down re-arms nothing.
        }
    }

    public void Dispose() => _source.Dispose();
}
