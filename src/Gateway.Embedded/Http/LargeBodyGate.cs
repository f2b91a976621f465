namespace Cerver.Gateway.Embedded.Http;

/// <summary>
/// Bounds how many large request bodies the process holds in memory at once. A body near the
/// cap costs its bytes plus the UTF-16 strings parsed out of it, tens of megabytes; two hundred
/// such requests at once would take gigabytes the runtime keeps long after. A large body waits
/// its turn here (its connection's flow control holds the rest of it on the client) and is
/// refused as busy when the wait grows too long. Small bodies never wait.
/// </summary>
public static class LargeBodyGate
{
    /// <summary>Bodies up to this size are read without a turn: a hundred of them at once cost a hundred megabytes at most.</summary>
    public const long SmallBodyBytes = 1024 * 1024;

    /// <summary>
    /// The daemon runs on a desktop or a small server: one large body at a time keeps its peak
    /// near a hundred megabytes above idle, and loopback uploads queue for a fraction of a second.
    /// </summary>
    public const int LargeBodiesAtOnce = 1;

    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private static readonly SemaphoreSlim Turns = new(LargeBodiesAtOnce, LargeBodiesAtOnce);

    /// <summary>A turn for a body of this length (null: not known, as with chunked bodies), released on disposal; false when it timed out.</summary>
    public static async Task<IDisposable?> EnterAsync(long? length, CancellationToken cancellationToken)
    {
        if (length <= SmallBodyBytes)
        {
            return Nothing.Instance;
        }

        if (!await Turns.WaitAsync(MaxWait, cancellationToken))
        {
            return null;
        }

        // The previous large request is over and all it allocated is garbage; an idle-ish
        // daemon would not collect before this one allocates as much again, so the peak would
        // be the sum of several. One blocking collection of a small heap costs milliseconds.
        if (Interlocked.Exchange(ref _finishedSinceCollection, 0) == 1)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
        }

        return new Turn();
    }

    private static int _finishedSinceCollection;

    private sealed class Turn : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Volatile.Write(ref _finishedSinceCollection, 1);
                Turns.Release();
            }
        }
    }

    private sealed class Nothing : IDisposable
    {
        public static readonly Nothing Instance = new();

        public void Dispose()
        {
        }
    }
}
