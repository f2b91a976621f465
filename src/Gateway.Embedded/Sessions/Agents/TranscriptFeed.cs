using System.Collections.Concurrent;

namespace Cerver.Gateway.Embedded.Sessions.Agents;

/// <summary>
/// Wakes live readers of a session's transcript when entries land, so a stream pushes them as
/// they happen instead of anyone polling. Readers re-read the store after waking: the feed
/// carries no data, only "look again", and a reader that was busy misses nothing.
/// </summary>
public sealed class TranscriptFeed
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);

    public TranscriptFeed(SessionStore store) => store.TranscriptAppended += Publish;

    /// <summary>A task that completes at the next append to the session (take it before reading the store).</summary>
    public Task NextAppend(string sessionId) =>
        _signals.GetOrAdd(sessionId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Publish(string sessionId)
    {
        if (_signals.TryRemove(sessionId, out var signal))
        {
            signal.TrySetResult();
        }
    }
}
