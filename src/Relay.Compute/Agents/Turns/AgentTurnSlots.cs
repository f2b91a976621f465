namespace Cerver.Relay.Compute.Agents.Turns;

/// <summary>
/// The agent turns this machine runs at once: a turn past the cap waits for a slot rather than
/// failing, and <see cref="Running"/> is what <c>status</c> shows.
/// </summary>
public sealed class AgentTurnSlots(int capacity) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(capacity, capacity);
    private int _running;

    public int Capacity => capacity;

    public int Running => Volatile.Read(ref _running);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        Interlocked.Increment(ref _running);
        return new Slot(this);
    }

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(AgentTurnSlots owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Decrement(ref owner._running);
                owner._slots.Release();
            }
        }
    }
}
